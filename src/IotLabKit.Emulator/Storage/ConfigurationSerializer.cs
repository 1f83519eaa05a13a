using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Configurations;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Storage;

/// <summary>
/// The stored form of a <see cref="DeviceConfiguration"/>: what clients send and read, its counters, and the
/// results of the last evaluation (so metrics read the same after a restart). Queries are stored as text and
/// parsed again on load.
/// </summary>
public static class ConfigurationSerializer
{
    /// <summary>Writes a configuration.</summary>
    public static string Serialize(DeviceConfiguration configuration)
    {
        var labels = new JsonObject();
        foreach (var (name, value) in configuration.Labels) labels[name] = value;
        var metrics = new JsonArray();
        foreach (var metric in configuration.Metrics)
        {
            metrics.Add(new JsonObject
            {
                ["name"] = metric.Name,
                ["query"] = metric.Text,
                ["result"] = configuration.MetricResults.GetValueOrDefault(metric.Name),
            });
        }
        return HubJson.Write(new JsonObject
        {
            ["id"] = configuration.Id,
            ["schemaVersion"] = configuration.SchemaVersion,
            ["labels"] = labels,
            ["deviceContent"] = configuration.Content.ToJson(),
            ["targetCondition"] = configuration.TargetCondition,
            ["priority"] = configuration.Priority,
            ["metrics"] = metrics,
            ["createdTime"] = WireTime.Format(configuration.CreatedTime),
            ["lastUpdatedTime"] = WireTime.Format(configuration.LastUpdatedTime),
            ["creationSequence"] = configuration.CreationSequence,
            ["etagCounter"] = configuration.ETagCounter,
            ["targetedCount"] = configuration.TargetedCount,
            ["appliedCount"] = configuration.AppliedCount,
        });
    }

    /// <summary>
    /// Reads a configuration written by <see cref="Serialize"/>. A query that no longer parses (a stricter
    /// engine after an upgrade) is kept as text, logged, and then targets or counts nothing.
    /// </summary>
    public static DeviceConfiguration Deserialize(string json, ILogger logger)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var id = (string)root["id"]!;
        var targetCondition = (string?)root["targetCondition"] ?? "";
        var metrics = ImmutableArray.CreateBuilder<ConfigurationMetric>();
        var results = ImmutableDictionary.CreateBuilder<string, long>();
        foreach (var item in root["metrics"]?.AsArray() ?? [])
        {
            var name = (string)item!["name"]!;
            var text = (string)item["query"]!;
            metrics.Add(new ConfigurationMetric(name, text, Reparse(() => ConfigurationValidator.ParseMetricQuery(name, text), id, logger)));
            results[name] = (long?)item["result"] ?? 0;
        }
        var deviceContent = root["deviceContent"] as JsonObject ?? new JsonObject();
        return new DeviceConfiguration
        {
            Id = id,
            SchemaVersion = (string?)root["schemaVersion"] ?? "1.0",
            Labels = (root["labels"] as JsonObject ?? []).ToImmutableSortedDictionary(l => l.Key, l => (string)l.Value!, StringComparer.Ordinal),
            Content = deviceContent.Count == 0 ? ConfigurationContent.Empty : ConfigurationContent.Parse(deviceContent),
            TargetCondition = targetCondition,
            Target = Reparse(() => ConfigurationValidator.ParseTargetCondition(targetCondition), id, logger),
            Priority = (int)root["priority"]!,
            Metrics = metrics.ToImmutable(),
            MetricResults = results.ToImmutable(),
            CreatedTime = WireTime.Parse((string?)root["createdTime"]),
            LastUpdatedTime = WireTime.Parse((string?)root["lastUpdatedTime"]),
            CreationSequence = (long)root["creationSequence"]!,
            ETagCounter = (long)root["etagCounter"]!,
            TargetedCount = (long?)root["targetedCount"] ?? 0,
            AppliedCount = (long?)root["appliedCount"] ?? 0,
        };
    }

    private static T? Reparse<T>(Func<T?> parse, string id, ILogger logger) where T : class
    {
        try { return parse(); }
        catch (HubException ex)
        {
            logger.LogWarning("Configuration '{Id}' has a stored query that no longer parses; it targets or counts nothing until updated: {Message}", id, ex.Message);
            return null;
        }
    }
}
