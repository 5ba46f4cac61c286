namespace Canopy.Mqtt;

/// <summary>A queued Connected (<see cref="IsConnected"/>) or Disconnected notification.</summary>
internal readonly record struct LifecycleEvent(bool IsConnected, Exception? Error);
