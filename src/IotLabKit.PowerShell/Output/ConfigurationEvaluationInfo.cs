using System.Management.Automation;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Output;

/// <summary>What an evaluation of the automatic device configurations did (PSTypeName <c>IotLabKit.ConfigurationEvaluation</c>).</summary>
public sealed class ConfigurationEvaluationInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.ConfigurationEvaluation";

    /// <summary>When it ran (local time).</summary>
    public DateTime? EvaluatedTime { get; init; }
    /// <summary>Configurations evaluated.</summary>
    public int ConfigurationCount { get; init; }
    /// <summary>Twins looked at.</summary>
    public int TwinCount { get; init; }
    /// <summary>Twins whose desired properties were written.</summary>
    public int UpdatedTwinCount { get; init; }
    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Twins the content could not be written into (device id → why).</summary>
    public PSObject FailedTwins { get; init; } = new();

    internal static PSObject From(ConfigurationEvaluationResult result)
    {
        var failed = new PSObject();
        foreach (var (deviceId, reason) in result.FailedTwins) failed.Properties.Add(new PSNoteProperty(deviceId, reason));
        var ps = PSObject.AsPSObject(new ConfigurationEvaluationInfo
        {
            EvaluatedTime = DeviceInfo.Local(result.EvaluatedTimeUtc),
            ConfigurationCount = result.ConfigurationCount,
            TwinCount = result.TwinCount,
            UpdatedTwinCount = result.UpdatedTwinCount,
            Duration = TimeSpan.FromMilliseconds(result.DurationMilliseconds),
            FailedTwins = failed,
        });
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }

    /// <inheritdoc />
    public override string ToString() => $"{ConfigurationCount} configuration(s), {TwinCount} twin(s), {UpdatedTwinCount} written";
}
