namespace Canopy.Core.Scheduling;

/// <summary>Why a candidate was not feasible; every "no" has a name so that a status detail can tell it.</summary>
public enum FilterReason
{
    Inactive,
    MissingVirtualization,
    InsufficientCpu,
    InsufficientMemory,
    NotNamedByDirectConstraint,
    NotInAllowedClusters,
    OutsideGeoThreshold,
    MissingNeeds,
    PrivilegedNotAllowed,
    MissingArchitecture,
}
