using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Security;

/// <summary>Who a valid SAS token speaks for.</summary>
/// <param name="PolicyName">The policy (<c>skn</c>), or null for a device-key token.</param>
/// <param name="DeviceId">The device a device-key token (or a device-scoped policy token) is for.</param>
/// <param name="ModuleId">The module a module-scoped token is for.</param>
/// <param name="Rights">What the token may do.</param>
/// <param name="ResourcePath">The decoded <c>sr</c> below the host (<c>/devices/d1</c>), empty for the whole hub.</param>
public sealed record SasPrincipal(string? PolicyName, string? DeviceId, string? ModuleId, IotHubPermissions Rights, string ResourcePath)
{
    /// <summary>True for a token signed with a device's own key.</summary>
    public bool IsDeviceKey => PolicyName is null;
}
