using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Security;

/// <summary>A shared access policy of the hub: a name, its rights and two keys.</summary>
public sealed record SharedAccessPolicy(string Name, IotHubPermissions Rights, string PrimaryKey, string SecondaryKey);

/// <summary>The hub's shared access policies (IoT Hub's five built-in ones), looked up by exact name.</summary>
public sealed class SharedAccessPolicies
{
    private readonly Dictionary<string, SharedAccessPolicy> _byName;

    /// <summary>Wraps a set of policies.</summary>
    public SharedAccessPolicies(IEnumerable<SharedAccessPolicy> policies)
        => _byName = policies.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>Every policy.</summary>
    public IReadOnlyCollection<SharedAccessPolicy> All => _byName.Values;

    /// <summary>The policy with this name, or null.</summary>
    public SharedAccessPolicy? Find(string name) => _byName.GetValueOrDefault(name);
}
