namespace Canopy.Core.States;

/// <summary>What happens to an instance after its process ended: the status to report and whether to start it again.</summary>
public sealed record ExitDecision(InstanceStatus Status, bool Restart, TimeSpan Delay, string Detail);
