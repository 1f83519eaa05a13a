namespace IotLabKit.Emulator.Core.Devices;

/// <summary>Whether a device may connect.</summary>
public enum DeviceStatus
{
    /// <summary>The device may connect (<c>enabled</c>).</summary>
    Enabled,
    /// <summary>The device may not connect (<c>disabled</c>).</summary>
    Disabled,
}

/// <summary>How a device proves who it is; the wire names are <c>sas</c>, <c>selfSigned</c>, <c>certificateAuthority</c>, <c>none</c>.</summary>
public enum AuthenticationType
{
    /// <summary>Symmetric keys (<c>sas</c>).</summary>
    Sas,
    /// <summary>Self-signed X.509 certificates identified by thumbprint (<c>selfSigned</c>).</summary>
    SelfSigned,
    /// <summary>X.509 certificates signed by a registered authority (<c>certificateAuthority</c>).</summary>
    CertificateAuthority,
    /// <summary>No credentials of its own (<c>none</c>).</summary>
    None,
}

/// <summary>A device's credentials as the registry keeps them.</summary>
public sealed record DeviceAuthentication
{
    /// <summary>The kind of credentials.</summary>
    public AuthenticationType Type { get; init; } = AuthenticationType.Sas;
    /// <summary>Primary symmetric key (base64), for <see cref="AuthenticationType.Sas"/>.</summary>
    public string? PrimaryKey { get; init; }
    /// <summary>Secondary symmetric key (base64), for <see cref="AuthenticationType.Sas"/>.</summary>
    public string? SecondaryKey { get; init; }
    /// <summary>Primary X.509 thumbprint (hex), for <see cref="AuthenticationType.SelfSigned"/>.</summary>
    public string? PrimaryThumbprint { get; init; }
    /// <summary>Secondary X.509 thumbprint (hex), for <see cref="AuthenticationType.SelfSigned"/>.</summary>
    public string? SecondaryThumbprint { get; init; }
}

/// <summary>
/// A device identity in the registry. Immutable: every change makes a new instance, so readers never see a
/// half-written identity. Wire names follow IoT Hub's device JSON (see <see cref="DeviceJson"/>).
/// </summary>
public sealed record DeviceIdentity
{
    /// <summary>The device id (case-sensitive).</summary>
    public required string DeviceId { get; init; }
    /// <summary>Distinguishes a re-created device from an earlier one with the same id.</summary>
    public required string GenerationId { get; init; }
    /// <summary>The counter behind <see cref="ETag"/>; bumped on every identity write.</summary>
    public required long ETagCounter { get; init; }
    /// <summary>The device etag: base64 of the counter as ASCII decimal.</summary>
    public string ETag => ETags.ForDevice(ETagCounter);
    /// <summary>True while the device holds a connection.</summary>
    public bool Connected { get; init; }
    /// <summary>When <see cref="Connected"/> last changed.</summary>
    public DateTimeOffset ConnectionStateUpdatedTime { get; init; } = DateTimeOffset.MinValue;
    /// <summary>Enabled or disabled.</summary>
    public DeviceStatus Status { get; init; } = DeviceStatus.Enabled;
    /// <summary>Why the status was set (free text, ≤ 128 characters).</summary>
    public string? StatusReason { get; init; }
    /// <summary>When <see cref="Status"/> last changed.</summary>
    public DateTimeOffset StatusUpdatedTime { get; init; } = DateTimeOffset.MinValue;
    /// <summary>When the device last connected or sent something.</summary>
    public DateTimeOffset LastActivityTime { get; init; } = DateTimeOffset.MinValue;
    /// <summary>Cloud-to-device messages waiting for the device.</summary>
    public int CloudToDeviceMessageCount { get; init; }
    /// <summary>The device's credentials.</summary>
    public required DeviceAuthentication Authentication { get; init; }
    /// <summary>True for IoT Edge devices.</summary>
    public bool IotEdge { get; init; }
}
