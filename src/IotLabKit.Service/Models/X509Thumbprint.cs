using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>The thumbprints of a device's self-signed X.509 certificates (40 hex for SHA-1, 64 for SHA-256).</summary>
public sealed class X509Thumbprint
{
    /// <summary>The primary certificate's thumbprint.</summary>
    [JsonPropertyName("primaryThumbprint")]
    public string? PrimaryThumbprint { get; set; }

    /// <summary>The secondary certificate's thumbprint.</summary>
    [JsonPropertyName("secondaryThumbprint")]
    public string? SecondaryThumbprint { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"Primary={PrimaryThumbprint ?? "(none)"}, Secondary={SecondaryThumbprint ?? "(none)"}";
}
