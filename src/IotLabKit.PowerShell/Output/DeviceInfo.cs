using System.Management.Automation;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>
/// A device identity as the cmdlets show it (PSTypeName <c>IotLabKit.Device</c>). Keys are left out on purpose:
/// <c>Get-IotDeviceConnectionString</c> hands them out as SecureString.
/// </summary>
public sealed class DeviceInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.Device";

    /// <summary>The device id.</summary>
    public string DeviceId { get; init; } = "";
    /// <summary>Enabled or Disabled.</summary>
    public DeviceStatus Status { get; init; }
    /// <summary>Why the status was set.</summary>
    public string? StatusReason { get; init; }
    /// <summary>When the status last changed (local time).</summary>
    public DateTime? StatusUpdatedTime { get; init; }
    /// <summary>Connected or Disconnected.</summary>
    public DeviceConnectionState ConnectionState { get; init; }
    /// <summary>When the connection state last changed (local time).</summary>
    public DateTime? ConnectionStateUpdatedTime { get; init; }
    /// <summary>When the device was last active (local time); null if never.</summary>
    public DateTime? LastActivityTime { get; init; }
    /// <summary>Cloud-to-device messages waiting for the device.</summary>
    public int CloudToDeviceMessageCount { get; init; }
    /// <summary>How the device authenticates: Sas, SelfSigned, CertificateAuthority or None.</summary>
    public AuthenticationType AuthenticationType { get; init; }
    /// <summary>True for an IoT Edge device.</summary>
    public bool EdgeEnabled { get; init; }
    /// <summary>Tells apart devices re-created with the same id.</summary>
    public string? GenerationId { get; init; }
    /// <summary>The registry entry's entity tag (for Set-IotDevice -ETag).</summary>
    public string? ETag { get; init; }

    /// <summary>Wraps a registry device for output.</summary>
    internal static PSObject From(Device device)
    {
        var info = new DeviceInfo
        {
            DeviceId = device.Id,
            Status = device.Status,
            StatusReason = string.IsNullOrEmpty(device.StatusReason) ? null : device.StatusReason,
            StatusUpdatedTime = Local(device.StatusUpdatedTime),
            ConnectionState = device.ConnectionState,
            ConnectionStateUpdatedTime = Local(device.ConnectionStateUpdatedTime),
            LastActivityTime = Local(device.LastActivityTime),
            CloudToDeviceMessageCount = device.CloudToDeviceMessageCount,
            AuthenticationType = device.Authentication?.Type ?? AuthenticationType.Sas,
            EdgeEnabled = device.Capabilities?.IotEdge ?? false,
            GenerationId = device.GenerationId,
            ETag = device.ETag,
        };
        var ps = PSObject.AsPSObject(info);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <summary>The hub writes 0001-01-01 for "never"; show that as nothing.</summary>
    internal static DateTime? Local(DateTime? time)
        => time is not { } t || t.Year <= 1 ? null : (t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t).ToLocalTime();

    /// <inheritdoc />
    public override string ToString() => DeviceId;
}
