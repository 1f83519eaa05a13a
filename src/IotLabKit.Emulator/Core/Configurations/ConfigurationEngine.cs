using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core.Twins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>What one evaluation did.</summary>
/// <param name="EvaluatedAt">When it ran (the hub's clock).</param>
/// <param name="ConfigurationCount">Configurations evaluated.</param>
/// <param name="TwinCount">Twins looked at.</param>
/// <param name="UpdatedTwinCount">Twins whose desired properties were written.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="FailedTwins">Twins the content could not be written into (for example over the 32 KB limit), with the reason.</param>
public sealed record ConfigurationEvaluation(
    DateTimeOffset EvaluatedAt,
    int ConfigurationCount,
    int TwinCount,
    int UpdatedTwinCount,
    TimeSpan Duration,
    IReadOnlyList<KeyValuePair<string, string>> FailedTwins);

/// <summary>
/// Evaluates every configuration against every device twin, as IoT Hub does on its schedule:
/// <list type="number">
/// <item>a twin is targeted by the configurations whose target condition it matches (the one query engine, over
/// the twin as the service sees it);</item>
/// <item>per twin path the strongest targeted configuration wins (<see cref="ContentResolver"/>), and what differs
/// from the twin's desired properties is written through the twin core (<see cref="TwinStore.StageDesiredPatch"/>:
/// desired <c>$version</c>, metadata, device notification) — nothing when nothing differs;</item>
/// <item>the twin's <c>configurations</c> member lists each targeting configuration as <c>Applied</c> (it won a
/// path) or <c>Targeted</c>; configurations that no longer target it (or were deleted) leave the list, and the
/// values they wrote stay;</item>
/// <item><c>targetedCount</c>, <c>appliedCount</c> and each custom metric (rows of its query) are recounted over
/// the twins as they are after the writes.</item>
/// </list>
/// It all happens in one hub transaction: one store batch, and no client sees half an evaluation.
/// </summary>
public sealed class ConfigurationEngine(HubState hub, TwinStore twins, ConfigurationStore configurations, ILogger<ConfigurationEngine>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Runs one evaluation now and returns what it did.</summary>
    public ConfigurationEvaluation Evaluate()
    {
        var started = hub.Clock.GetTimestamp();
        return hub.Write(tx =>
        {
            var now = tx.Now;
            var all = configurations.All;
            var targeted = new long[all.Count];
            var applied = new long[all.Count];
            var failures = new List<KeyValuePair<string, string>>();
            var documents = new List<JsonObject>();
            var plans = new Dictionary<string, ContentPlan>(StringComparer.Ordinal);
            var updatedCount = 0;
            var targeting = new List<int>(all.Count);

            foreach (var record in tx.DevicesAtStart)
            {
                var document = record.Twin.ToServiceJson(record.Identity);
                targeting.Clear();
                for (var i = 0; i < all.Count; i++)
                {
                    if (all[i].Target is { } target && target.Matches(document)) targeting.Add(i);
                }

                var twin = record.Twin;
                var statuses = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);
                if (targeting.Count > 0)
                {
                    var plan = PlanFor(targeting, all, plans);
                    var winners = plan.Applied;
                    var patch = ContentResolver.Difference(plan.Wanted, twin.Desired.Values);
                    if (patch.Count > 0)
                    {
                        try
                        {
                            twin = twins.StageDesiredPatch(tx, record.Identity.DeviceId, twin, patch);
                            updatedCount++;
                        }
                        catch (HubException ex)
                        {
                            // One twin that cannot take the content (say, it would pass 32 KB) must not stop the others.
                            failures.Add(new(record.Identity.DeviceId, ex.Message));
                            winners = [];
                        }
                    }
                    var builder = statuses.ToBuilder();
                    foreach (var i in targeting)
                    {
                        var isApplied = winners.Contains(all[i].Id);
                        builder[all[i].Id] = isApplied ? ConfigurationStatus.Applied : ConfigurationStatus.Targeted;
                        targeted[i]++;
                        if (isApplied) applied[i]++;
                    }
                    statuses = builder.ToImmutable();
                }
                if (!SameStatuses(twin.Configurations, statuses)) twin = twin.WithConfigurations(statuses);
                if (!ReferenceEquals(twin, record.Twin))
                {
                    var updated = record with { Twin = twin };
                    tx.Put(updated);
                    document = twin.ToServiceJson(updated.Identity);
                }
                documents.Add(document);
            }

            var evaluated = new List<DeviceConfiguration>(all.Count);
            for (var i = 0; i < all.Count; i++)
            {
                var configuration = all[i];
                evaluated.Add(configuration with
                {
                    TargetedCount = targeted[i],
                    AppliedCount = applied[i],
                    MetricResults = configuration.Metrics.ToImmutableDictionary(m => m.Name,
                        m => m.Query is null ? 0L : m.Query.Execute(documents).Items.Count),
                });
            }
            configurations.StageResults(tx, evaluated);

            foreach (var (deviceId, reason) in failures)
                _logger.LogWarning("Configuration content could not be written into the twin of {DeviceId}: {Reason}", deviceId, reason);
            return new ConfigurationEvaluation(now, all.Count, documents.Count, updatedCount, hub.Clock.GetElapsedTime(started), failures);
        });
    }

    // Twins targeted by the same configurations share a plan: at scale, few distinct sets cover many twins.
    private static ContentPlan PlanFor(List<int> targeting, IReadOnlyList<DeviceConfiguration> all, Dictionary<string, ContentPlan> plans)
    {
        var key = string.Join(',', targeting);
        if (!plans.TryGetValue(key, out var plan))
        {
            plan = ContentResolver.Plan(targeting.Select(i => all[i]));
            plans[key] = plan;
        }
        return plan;
    }

    private static bool SameStatuses(ImmutableSortedDictionary<string, string> a, ImmutableSortedDictionary<string, string> b)
        => a.Count == b.Count && a.All(s => b.TryGetValue(s.Key, out var v) && v == s.Value);
}
