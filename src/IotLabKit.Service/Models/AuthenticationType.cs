using System.Text.Json.Serialization;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

/// <summary>How a device authenticates. Wire values <c>sas</c>, <c>selfSigned</c>, <c>certificateAuthority</c>, <c>none</c>.</summary>
[JsonConverter(typeof(WireEnumConverter<AuthenticationType>))]
public enum AuthenticationType
{
    /// <summary>Shared access signatures made from the device's symmetric keys.</summary>
    [JsonStringEnumMemberName("sas")] Sas = 0,
    /// <summary>A self-signed X.509 certificate, identified by thumbprint.</summary>
    [JsonStringEnumMemberName("selfSigned")] SelfSigned = 1,
    /// <summary>An X.509 certificate chained to a CA registered with the hub.</summary>
    [JsonStringEnumMemberName("certificateAuthority")] CertificateAuthority = 2,
    /// <summary>No credentials (modules managed by a parent).</summary>
    [JsonStringEnumMemberName("none")] None = 3,
}
