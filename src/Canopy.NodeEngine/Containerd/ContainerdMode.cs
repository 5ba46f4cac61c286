namespace Canopy.NodeEngine.Containerd;

/// <summary>Where this node's containers run, decided once at start from the options and what is installed.</summary>
public enum ContainerdMode
{
    /// <summary>No containerd: the node offers exec only.</summary>
    Disabled,

    /// <summary>Canopy's own containerd under <c>&lt;DataDir&gt;/containerd/</c>, configured and started by the node engine.</summary>
    Own,

    /// <summary>The operator's containerd at <see cref="NodeEngineOptions.ContainerdSocket"/>, used as it is.</summary>
    External,
}
