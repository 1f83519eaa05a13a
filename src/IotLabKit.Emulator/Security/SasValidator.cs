using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Security;

/// <summary>
/// The one SAS validator, for every transport (REST now; MQTT and AMQP later). It checks, in order: the token
/// parses; its <c>sr</c> host is this hub (its host name with or without a port, or localhost/127.0.0.1/::1);
/// it has not expired (no clock-skew allowance, as IoT Hub allows none on expiry); the policy or device exists;
/// the signature matches one of its two keys (HMAC over <c>sr</c> exactly as sent). Every failure is
/// <c>IotHubUnauthorizedAccess</c> with a message that says what was wrong and never shows a key.
/// </summary>
public sealed class SasValidator(SharedAccessPolicies policies, string hostName, DeviceRegistry registry, TimeProvider clock)
{
    private static readonly string[] LocalHosts = ["localhost", "127.0.0.1", "::1", "[::1]"];

    /// <summary>Validates an <c>Authorization</c> header (or MQTT password) and says who it speaks for.</summary>
    public SasPrincipal Authenticate(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
            throw Unauthorized("The request carries no SharedAccessSignature: send 'Authorization: SharedAccessSignature sr=…&sig=…&se=…&skn=…'.");
        if (token.TrimStart().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw Unauthorized("Microsoft Entra (Bearer) tokens are not supported by the emulator; use a SharedAccessSignature.");
        if (!SharedAccessSignature.TryParse(token, out var sas, out var parseError))
            throw Unauthorized($"The SharedAccessSignature is malformed: {parseError}");

        var resource = sas!.DecodedResource.TrimEnd('/');
        // AMQP clients (CBS) scope tokens to a URI such as amqps://host/hub or sb://host/hub; the host rule is the same.
        var scheme = resource.IndexOf("://", StringComparison.Ordinal);
        var eventHubsStyle = scheme > 0;
        if (eventHubsStyle) resource = resource[(scheme + 3)..];
        var slash = resource.IndexOf('/');
        var host = slash < 0 ? resource : resource[..slash];
        var path = slash < 0 ? "" : resource[slash..];
        if (!IsThisHub(host))
            throw Unauthorized($"The token's resource (sr) host '{host}' is not this hub ('{hostName}').");

        var now = clock.GetUtcNow();
        if (sas.IsExpired(now))
            throw Unauthorized($"The SharedAccessSignature expired at {WireTime.Format(DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(sas.ExpiresOn, 0, 253402300799)))}; the hub's time is {WireTime.Format(now)}.");

        var (deviceId, moduleId) = ParseDevicePath(path);
        if (sas.KeyName is { } policyName)
        {
            var policy = policies.Find(policyName)
                ?? throw Unauthorized($"The shared access policy '{policyName}' does not exist on this hub.");
            if (!sas.IsSignedWith(policy.PrimaryKey) && !sas.IsSignedWith(policy.SecondaryKey)
                && !(eventHubsStyle && (sas.IsSignedWithKeyText(policy.PrimaryKey) || sas.IsSignedWithKeyText(policy.SecondaryKey))))
                throw Unauthorized($"The token's signature does not match either key of the shared access policy '{policyName}'.");
            return new SasPrincipal(policyName, deviceId, moduleId, policy.Rights, path);
        }

        if (deviceId is null)
            throw Unauthorized("A token without a policy name (skn) must be scoped to a device: sr=<host>/devices/<deviceId>.");
        var device = registry.Find(deviceId)
            ?? throw Unauthorized($"The token is for device '{deviceId}', which is not registered.");
        if (device.Authentication.Type != AuthenticationType.Sas)
            throw Unauthorized($"Device '{deviceId}' does not authenticate with symmetric keys.");
        if (!IsSignedWithAny(sas, device.Authentication.PrimaryKey, device.Authentication.SecondaryKey))
            throw Unauthorized($"The token's signature does not match either key of device '{deviceId}'.");
        if (device.Status == DeviceStatus.Disabled)
            throw Unauthorized($"Device '{deviceId}' is disabled.");
        return new SasPrincipal(null, deviceId, moduleId, IotHubPermissions.DeviceConnect, path);
    }

    /// <summary>Throws <c>IotHubUnauthorizedAccess</c> unless <paramref name="principal"/> may call a service operation needing <paramref name="required"/>.</summary>
    public static void DemandService(SasPrincipal principal, IotHubPermissions required)
    {
        if (principal.IsDeviceKey)
            throw Unauthorized($"A device token (for device '{principal.DeviceId}') cannot call service operations; use a shared access policy token.");
        if (principal.ResourcePath.Length > 0)
            throw Unauthorized($"The token is scoped to '{principal.ResourcePath}'; service operations need a token for the whole hub.");
        var missing = required & ~principal.Rights;
        if (missing != IotHubPermissions.None)
            throw Unauthorized($"The shared access policy '{principal.PolicyName}' does not grant {missing}, which this operation needs.");
    }

    /// <summary>True when <paramref name="hostWithPort"/> names this hub: its host name or a loopback name, any port.</summary>
    public bool IsThisHub(string hostWithPort)
    {
        var (host, _) = IotHubConnectionString.SplitHost(hostWithPort);
        return string.Equals(host, hostName, StringComparison.OrdinalIgnoreCase)
            || LocalHosts.Contains(host, StringComparer.OrdinalIgnoreCase);
    }

    // The path is already decoded once (sr is URL-encoded once by every SDK); decoding again would corrupt ids with '%'.
    private static (string? DeviceId, string? ModuleId) ParseDevicePath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 2 && parts[0] == "devices")
            return (parts[1], parts.Length >= 4 && parts[2] == "modules" ? parts[3] : null);
        return (null, null);
    }

    private static bool IsSignedWithAny(SharedAccessSignature sas, string? primary, string? secondary)
        => (primary is not null && sas.IsSignedWith(primary)) || (secondary is not null && sas.IsSignedWith(secondary));

    private static HubException Unauthorized(string message) => new(IotHubErrorCode.IotHubUnauthorizedAccess, message);
}
