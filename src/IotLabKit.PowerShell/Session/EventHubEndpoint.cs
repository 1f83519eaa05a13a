using System.Text.RegularExpressions;

namespace IotLabKit.PowerShell.Session;

/// <summary>The one place that puts a policy's credentials into the emulator's Event Hubs-compatible connection string.</summary>
internal static partial class EventHubEndpoint
{
    /// <summary>
    /// The status's Event Hubs-compatible connection string with <paramref name="policyName"/>'s key, or null when the
    /// emulator reports no endpoint or has no such policy.
    /// </summary>
    public static string? ConnectionString(EmulatorStatus status, string policyName)
    {
        if (string.IsNullOrEmpty(status.EventHubConnectionString) || !status.Policies.TryGetValue(policyName, out var key)) return null;
        return Credentials().Replace(status.EventHubConnectionString, $"SharedAccessKeyName={policyName};SharedAccessKey={key};");
    }

    [GeneratedRegex("SharedAccessKeyName=[^;]*;SharedAccessKey=[^;]*;")]
    private static partial Regex Credentials();
}
