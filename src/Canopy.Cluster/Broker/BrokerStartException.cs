namespace Canopy.Cluster.Broker;

/// <summary>The broker could not be started; the message says why and what to change.</summary>
public sealed class BrokerStartException(string message, Exception? inner = null) : Exception(message, inner);
