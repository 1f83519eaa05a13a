using System.Collections.Immutable;
using IotLabKit.Query;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>A named query of a configuration, with its parsed form and last count.</summary>
/// <param name="Name">The metric's name (<c>fwupdated</c>).</param>
/// <param name="Text">The query as the user wrote it.</param>
/// <param name="Query">The parsed query; null only when a stored query no longer parses (then it counts 0).</param>
public sealed record ConfigurationMetric(string Name, string Text, IotHubQuery? Query);

/// <summary>
/// One automatic device configuration (IoT Hub's "ADM configuration"): what to write into which twins, and the
/// queries that count how it went. Immutable: the store replaces it on every change. Targeting and metric
/// queries are parsed once, when the configuration is created or updated (or loaded).
/// </summary>
public sealed record DeviceConfiguration
{
    /// <summary>The configuration id (lowercase, ≤ 128 characters).</summary>
    public required string Id { get; init; }

    /// <summary>The schema version the client sent (<c>1.0</c> from the SDKs); echoed back.</summary>
    public string SchemaVersion { get; init; } = "1.0";

    /// <summary>Labels (name → value).</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>The device content: twin paths (<c>properties.desired.firmware</c>) and their values. Fixed once created.</summary>
    public required ConfigurationContent Content { get; init; }

    /// <summary>The target condition as written; empty targets no device, <c>*</c> every device.</summary>
    public string TargetCondition { get; init; } = "";

    /// <summary>The parsed target condition; null when the condition is empty (or a stored one no longer parses).</summary>
    public QueryCondition? Target { get; init; }

    /// <summary>The priority: the highest wins a twin path; on a tie the most recently created wins.</summary>
    public int Priority { get; init; }

    /// <summary>The custom metrics, in the order they were given.</summary>
    public ImmutableArray<ConfigurationMetric> Metrics { get; init; } = [];

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedTime { get; init; }

    /// <summary>When it was last created or updated by a client.</summary>
    public required DateTimeOffset LastUpdatedTime { get; init; }

    /// <summary>A hub-wide counter taken at creation: a later creation always has a larger one (priority ties).</summary>
    public required long CreationSequence { get; init; }

    /// <summary>The counter behind <see cref="ETag"/>; moves on every client write, not on evaluations.</summary>
    public required long ETagCounter { get; init; }

    /// <summary>The etag: base64 of the counter's ASCII decimal (<c>MQ==</c> is 1), as IoT Hub writes configuration etags.</summary>
    public string ETag => ETags.ForDevice(ETagCounter);

    /// <summary>Twins matching the target condition at the last evaluation.</summary>
    public long TargetedCount { get; init; }

    /// <summary>Twins whose status for this configuration was <c>Applied</c> at the last evaluation.</summary>
    public long AppliedCount { get; init; }

    /// <summary>The custom metric counts of the last evaluation (0 before the first).</summary>
    public ImmutableDictionary<string, long> MetricResults { get; init; } = ImmutableDictionary<string, long>.Empty;

    /// <summary>The query whose rows are the targeted devices (<c>systemMetrics.queries.targetedCount</c>).</summary>
    public string TargetedCountQuery => TargetCondition.Trim() switch
    {
        "" => "select deviceId from devices where false",
        "*" => "select deviceId from devices",
        var condition => "select deviceId from devices where " + condition,
    };

    /// <summary>The query whose rows are the devices it was applied to (<c>systemMetrics.queries.appliedCount</c>).</summary>
    public string AppliedCountQuery => $"select deviceId from devices where configurations.[[{Id}]].status = '{ConfigurationStatus.Applied}'";

    /// <summary>
    /// Orders configurations by precedence, strongest first: higher priority, then the most recently created.
    /// </summary>
    public static int CompareByPrecedence(DeviceConfiguration a, DeviceConfiguration b)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        return byPriority != 0 ? byPriority : b.CreationSequence.CompareTo(a.CreationSequence);
    }
}

/// <summary>A twin's status for a configuration that targets it, as written into the twin's <c>configurations</c>.</summary>
public static class ConfigurationStatus
{
    /// <summary>The twin matches the target condition, but none of the configuration's content is in force on it.</summary>
    public const string Targeted = "Targeted";

    /// <summary>The configuration's content (at least one of its paths) is in force on the twin.</summary>
    public const string Applied = "Applied";
}
