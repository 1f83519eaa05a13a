using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>A device's two symmetric keys (base64). Leave both empty on create and the hub generates them.</summary>
public sealed class SymmetricKey
{
    /// <summary>The primary key (base64, 16–64 bytes).</summary>
    [JsonPropertyName("primaryKey")]
    public string? PrimaryKey { get; set; }

    /// <summary>The secondary key (base64, 16–64 bytes).</summary>
    [JsonPropertyName("secondaryKey")]
    public string? SecondaryKey { get; set; }

    /// <summary>Keys are secrets: only whether they are set is shown.</summary>
    public override string ToString()
        => $"PrimaryKey={(string.IsNullOrEmpty(PrimaryKey) ? "(none)" : "(set)")}, SecondaryKey={(string.IsNullOrEmpty(SecondaryKey) ? "(none)" : "(set)")}";
}
