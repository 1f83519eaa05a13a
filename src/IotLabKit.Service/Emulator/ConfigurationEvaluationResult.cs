using System.Text.Json.Serialization;

namespace IotLabKit.Service;

/// <summary>What one evaluation of the automatic device configurations did (the emulator's answer).</summary>
public sealed class ConfigurationEvaluationResult
{
    /// <summary>When the evaluation ran (UTC).</summary>
    [JsonPropertyName("evaluatedTimeUtc")]
    public DateTime EvaluatedTimeUtc { get; set; }

    /// <summary>How many configurations were evaluated.</summary>
    [JsonPropertyName("configurationCount")]
    public int ConfigurationCount { get; set; }

    /// <summary>How many twins were looked at.</summary>
    [JsonPropertyName("twinCount")]
    public int TwinCount { get; set; }

    /// <summary>How many twins had configuration content written into their desired properties.</summary>
    [JsonPropertyName("updatedTwinCount")]
    public int UpdatedTwinCount { get; set; }

    /// <summary>How long the evaluation took, in milliseconds.</summary>
    [JsonPropertyName("durationMilliseconds")]
    public double DurationMilliseconds { get; set; }

    /// <summary>Twins the content could not be written into (device id → why, for example over the 32 KB limit).</summary>
    [JsonPropertyName("failedTwins")]
    public IDictionary<string, string> FailedTwins { get; set; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override string ToString()
        => $"{ConfigurationCount} configuration(s) over {TwinCount} twin(s): {UpdatedTwinCount} written, {FailedTwins.Count} failed";
}
