namespace IotLabKit.Protocol;

/// <summary>The rights a shared access policy grants, as IoT Hub defines them.</summary>
[Flags]
public enum IotHubPermissions
{
    /// <summary>No rights.</summary>
    None = 0,
    /// <summary>Read the identity registry.</summary>
    RegistryRead = 1,
    /// <summary>Write the identity registry (implies nothing else).</summary>
    RegistryWrite = 2,
    /// <summary>Service-facing endpoints: twins, queries, methods, jobs, configurations, C2D.</summary>
    ServiceConnect = 4,
    /// <summary>Device-facing endpoints; a policy with it can mint tokens for any device.</summary>
    DeviceConnect = 8,
    /// <summary>Every right (the <c>iothubowner</c> policy).</summary>
    All = RegistryRead | RegistryWrite | ServiceConnect | DeviceConnect,
}

/// <summary>The shared access policies every IoT hub is created with.</summary>
public static class BuiltInPolicies
{
    /// <summary>Policy name → rights, as IoT Hub creates them.</summary>
    public static IReadOnlyDictionary<string, IotHubPermissions> All { get; } =
        new Dictionary<string, IotHubPermissions>(StringComparer.Ordinal)
        {
            ["iothubowner"] = IotHubPermissions.All,
            ["service"] = IotHubPermissions.ServiceConnect,
            ["device"] = IotHubPermissions.DeviceConnect,
            ["registryRead"] = IotHubPermissions.RegistryRead,
            ["registryReadWrite"] = IotHubPermissions.RegistryRead | IotHubPermissions.RegistryWrite,
        };
}
