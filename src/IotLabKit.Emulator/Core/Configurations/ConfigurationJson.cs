using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>What a <c>PUT /configurations/{id}</c> body asks for; read-only members (etag, metrics results, times) are not kept.</summary>
/// <param name="Id">The <c>id</c> member, when present.</param>
/// <param name="SchemaVersion">The <c>schemaVersion</c> member, when present.</param>
/// <param name="Labels">The labels (empty when none).</param>
/// <param name="DeviceContent">The <c>content.deviceContent</c> map; null when the body has no (or empty) content.</param>
/// <param name="TargetCondition">The target condition ("" when absent).</param>
/// <param name="Priority">The priority (0 when absent).</param>
/// <param name="MetricQueries">The custom metric queries, in body order.</param>
public sealed record ConfigurationRequest(
    string? Id,
    string? SchemaVersion,
    IReadOnlyList<KeyValuePair<string, string>> Labels,
    JsonObject? DeviceContent,
    string TargetCondition,
    long Priority,
    IReadOnlyList<KeyValuePair<string, string?>> MetricQueries);

/// <summary>
/// Configurations as IoT Hub's REST API writes and reads them. Clients send back what they read (C# adds
/// <c>systemMetrics</c>, <c>createdTimeUtc:"0001-01-01T00:00:00"</c>, empty <c>moduleContent</c>/<c>modulesContent</c>;
/// the CLI sends <c>etag:"*"</c> on create), so read-only members are ignored and empty maps count as absent.
/// </summary>
public static class ConfigurationJson
{
    /// <summary>The <c>contentType</c> IoT Hub shows for device configurations.</summary>
    public const string AssignmentContentType = "assignment";

    /// <summary>The configuration as the service API returns it.</summary>
    public static JsonObject Write(DeviceConfiguration configuration)
    {
        var labels = new JsonObject();
        foreach (var (name, value) in configuration.Labels) labels[name] = value;
        var metricQueries = new JsonObject();
        var metricResults = new JsonObject();
        foreach (var metric in configuration.Metrics)
        {
            metricQueries[metric.Name] = metric.Text;
            metricResults[metric.Name] = configuration.MetricResults.GetValueOrDefault(metric.Name);
        }
        return new JsonObject
        {
            ["id"] = configuration.Id,
            ["schemaVersion"] = configuration.SchemaVersion,
            ["labels"] = labels,
            ["content"] = new JsonObject
            {
                ["deviceContent"] = configuration.Content.ToJson(),
                ["moduleContent"] = new JsonObject(),
                ["modulesContent"] = new JsonObject(),
            },
            ["contentType"] = AssignmentContentType,
            ["targetCondition"] = configuration.TargetCondition,
            ["createdTimeUtc"] = WireTime.Format(configuration.CreatedTime),
            ["lastUpdatedTimeUtc"] = WireTime.Format(configuration.LastUpdatedTime),
            ["priority"] = configuration.Priority,
            ["systemMetrics"] = new JsonObject
            {
                ["results"] = new JsonObject
                {
                    ["targetedCount"] = configuration.TargetedCount,
                    ["appliedCount"] = configuration.AppliedCount,
                },
                ["queries"] = new JsonObject
                {
                    ["targetedCount"] = configuration.TargetedCountQuery,
                    ["appliedCount"] = configuration.AppliedCountQuery,
                },
            },
            ["metrics"] = new JsonObject { ["results"] = metricResults, ["queries"] = metricQueries },
            ["etag"] = configuration.ETag,
        };
    }

    /// <summary>Reads a request body; throws <c>ArgumentInvalid</c> (or a content error) when a member has the wrong shape.</summary>
    public static ConfigurationRequest Read(JsonObject body)
    {
        var id = OptionalString(body, "id", "id");
        var schemaVersion = OptionalString(body, "schemaVersion", "schemaVersion");
        var labels = new List<KeyValuePair<string, string>>();
        if (OptionalObject(body, "labels", "labels") is { } labelObject)
        {
            foreach (var (name, value) in labelObject)
            {
                var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                ConfigurationValidator.RequireValidLabel(name, text);
                labels.Add(new(name, text!));
            }
        }
        JsonObject? deviceContent = null;
        if (OptionalObject(body, "content", "content") is { } content)
        {
            if (OptionalObject(content, "modulesContent", "content.modulesContent") is { Count: > 0 })
                throw new HubException(IotHubErrorCode.InvalidConfigurationContent,
                    "IoT Edge deployments (content.modulesContent) are not supported by the emulator; use content.deviceContent.");
            if (OptionalObject(content, "moduleContent", "content.moduleContent") is { Count: > 0 })
                throw new HubException(IotHubErrorCode.InvalidConfigurationContent,
                    "Module configurations (content.moduleContent) are not supported by the emulator yet; use content.deviceContent.");
            if (OptionalObject(content, "deviceContent", "content.deviceContent") is { Count: > 0 } device) deviceContent = device;
        }
        var targetCondition = OptionalString(body, "targetCondition", "targetCondition") ?? "";
        long priority = 0;
        if (body.TryGetPropertyValue("priority", out var priorityNode) && priorityNode is not null)
        {
            if (priorityNode is not JsonValue pv || pv.GetValueKind() != JsonValueKind.Number
                || !long.TryParse(pv.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
                throw HubException.Invalid($"The priority must be a whole number, not {priorityNode.ToJsonString()}.");
        }
        var metrics = new List<KeyValuePair<string, string?>>();
        if (OptionalObject(body, "metrics", "metrics") is { } metricsObject
            && OptionalObject(metricsObject, "queries", "metrics.queries") is { } queries)
        {
            foreach (var (name, value) in queries)
            {
                var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                if (value is not null && text is null)
                    throw new HubException(IotHubErrorCode.InvalidConfigurationCustomMetricsQuery, $"The query of custom metric '{name}' must be a string.");
                metrics.Add(new(name, text));
            }
        }
        return new ConfigurationRequest(id, schemaVersion, labels, deviceContent, targetCondition, priority, metrics);
    }

    /// <summary>Reads a <c>POST /configurations/testQueries</c> body.</summary>
    public static (string? TargetCondition, IReadOnlyList<KeyValuePair<string, string?>> MetricQueries) ReadTestQueries(JsonObject body)
    {
        var target = OptionalString(body, "targetCondition", "targetCondition");
        var metrics = new List<KeyValuePair<string, string?>>();
        if (OptionalObject(body, "customMetricQueries", "customMetricQueries") is { } queries)
        {
            foreach (var (name, value) in queries)
                metrics.Add(new(name, value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null));
        }
        return (target, metrics);
    }

    private static JsonObject? OptionalObject(JsonObject parent, string name, string path)
    {
        if (!parent.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node as JsonObject ?? throw HubException.Invalid($"The configuration member '{path}' must be an object.");
    }

    private static string? OptionalString(JsonObject parent, string name, string path)
    {
        if (!parent.TryGetPropertyValue(name, out var node) || node is null) return null;
        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw HubException.Invalid($"The configuration member '{path}' must be a string.");
    }
}
