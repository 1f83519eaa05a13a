using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>A twin's desired properties (written by the back end) and reported properties (written by the device).</summary>
public sealed class TwinProperties
{
    private TwinCollection _desired = new();
    private TwinCollection _reported = new();

    /// <summary>What the back end wants the device to do.</summary>
    [JsonPropertyName("desired")]
    public TwinCollection Desired { get => _desired; set => _desired = value ?? new(); }

    /// <summary>What the device reports about itself (read-only for the back end).</summary>
    [JsonPropertyName("reported")]
    public TwinCollection Reported { get => _reported; set => _reported = value ?? new(); }

    /// <inheritdoc />
    public override string ToString() => $"Desired={Desired}, Reported={Reported}";
}
