using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>A device's credentials: symmetric keys or X.509 thumbprints, and which of them it uses.</summary>
public sealed class AuthenticationMechanism
{
    /// <summary>The symmetric keys (for <see cref="AuthenticationType.Sas"/>).</summary>
    [JsonPropertyName("symmetricKey")]
    public SymmetricKey? SymmetricKey { get; set; } = new();

    /// <summary>The certificate thumbprints (for <see cref="AuthenticationType.SelfSigned"/>).</summary>
    [JsonPropertyName("x509Thumbprint")]
    public X509Thumbprint? X509Thumbprint { get; set; } = new();

    /// <summary>Which credential the device uses.</summary>
    [JsonPropertyName("type")]
    public AuthenticationType Type { get; set; } = AuthenticationType.Sas;

    /// <inheritdoc />
    public override string ToString() => Type.ToString();
}
