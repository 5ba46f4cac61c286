namespace Canopy.Cluster;

/// <summary>The one list of the cluster's log event ids, grouped by concern, so that logs can be filtered and alerted on.</summary>
internal static class EventIds
{
    // Broker/ 100-199
    public const int BrokerStarting = 100;
    public const int BrokerReady = 101;
    public const int BrokerStopped = 102;
    public const int BrokerExitedUnexpectedly = 103;
    public const int BrokerStaleKilled = 104;
    public const int BrokerReloaded = 105;
    public const int BrokerExternal = 106;
    public const int BrokerOutput = 107;
    public const int BrokerRestartFailed = 108;
    public const int KeepAliveExpired = 120;
    public const int KeepAliveWatchOff = 121;
    public const int KeepAliveWatchFailed = 122;
    public const int KeepAliveStall = 123;

    // Nodes/ 200-299
    public const int NodeRegistered = 200;
    public const int NodeRegistrationRefused = 201;
    public const int NodeActive = 202;
    public const int NodeInactive = 203;
    public const int UnknownNodeMessage = 204;
    public const int BadNodeMessage = 205;
    public const int TransitionRefused = 206;
    public const int StaleReport = 207;
    public const int InventoryDelete = 208;
    public const int InventoryAdopt = 209;
    public const int InventoryRedeploy = 210;
    public const int MqttConnected = 211;
    public const int MqttDisconnected = 212;
    public const int MqttPublishFailed = 213;
    public const int NodeMessageFailed = 214;
    public const int InstanceUndeployed = 215;
    public const int MqttConnectFailed = 216;
    public const int HeartbeatCheckFailed = 217;
    public const int HeartbeatWriteFailed = 224;
    public const int NodeFlooding = 240;
    public const int NodeTokenCreated = 218;
    public const int NodeTokenRevoked = 219;
    public const int NodeClockSkewed = 220;
    public const int NodeClockFixed = 221;
    public const int InstanceHandedBack = 222;
    public const int NodeSecretBound = 223;
    public const int NodeLeft = 240;
    public const int NodeSubnetMoved = 241;
    public const int NodeRegistersTooOften = 250;
    public const int NodeReportsAbsurd = 251;
    public const int NodeRegistrationSteps = 260;
    public const int NodeRegistrationsSummary = 261;

    // Placement/ 300-399
    public const int InstancePlaced = 300;
    public const int InstanceNotPlaced = 301;
    public const int InstanceRescheduling = 302;
    public const int RetryLoopFailed = 303;

    // RootLink/ 400-499
    public const int RootRegistering = 400;
    public const int RootTokenRefused = 401;
    public const int RootUnreachable = 402;
    public const int RootRegistered = 403;
    public const int LinkConnected = 404;
    public const int LinkLost = 405;
    public const int LinkRefused = 406;
    public const int LinkUnknownMessage = 407;
    public const int LinkMessageFailed = 408;
    public const int DeployReceived = 409;
    public const int UndeployReceived = 410;
    public const int RootRegisterFailed = 411;
    public const int RootNameRefused = 412;
    public const int RootNotTrusted = 413;
    public const int RootInsecure = 414;
    public const int RootNotLeader = 415;

    // Net/ 600-699 (after storage's 5xx: appended, the older ranges keep their numbers)
    public const int NetTablesPublished = 600;
    public const int NetTableCleared = 601;
    public const int NetPublishFailed = 602;
    public const int SubnetWithoutBlocks = 603;
    public const int SubnetBlocksFull = 604;
    public const int SubnetBlocksReceived = 605;
    public const int SubnetBlockRefused = 606;
    public const int SubnetOutsideBlocks = 607;
    public const int InstanceAddressUnrouted = 608;
    public const int RootNetTableReceived = 609;

    // 5xx: storage
    public const int StoreUpgraded = 500;
}
