using System.Collections.Immutable;
using System.Text.Json;
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
/// from the twin's desired properties is written through the twin core (<see cref="TwinStore.StageServicePatch"/>:
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
            var pass = new Pass(configurations.All);
            var failures = new List<KeyValuePair<string, string>>();
            var updatedCount = 0;
            var twinCount = 0;

            // Each twin is read through its record's service document: built once on write, shared with the query
            // endpoint and jobs, nothing copied here.
            foreach (var record in tx.DevicesAtStart)
            {
                twinCount++;
                // Without configurations nothing is read: only statuses left by deleted ones are cleared.
                var targeting = pass.Configurations.Count == 0 ? pass.NoTargets : pass.Inspect(record.ServiceDocument);
                var twin = record.Twin;
                var winners = ImmutableHashSet<string>.Empty;
                if (targeting.Count > 0)
                {
                    var plan = pass.PlanFor(targeting);
                    winners = plan.Applied;
                    var patch = ContentResolver.Difference(plan.Wanted, twin.Desired.Values);
                    if (patch.Count > 0)
                    {
                        try
                        {
                            twin = twins.StageServicePatch(tx, record.Identity.DeviceId, twin, new TwinWrite(null, patch));
                            updatedCount++;
                        }
                        catch (HubException ex)
                        {
                            // One twin that cannot take the content (say, it would pass 32 KB) must not stop the others.
                            failures.Add(new(record.Identity.DeviceId, ex.Message));
                            winners = [];
                        }
                    }
                }
                pass.Tally(targeting, winners);
                if (!pass.StatusesMatch(twin.Configurations, targeting, winners))
                    twin = twin.WithConfigurations(pass.Statuses(targeting, winners));
                if (!ReferenceEquals(twin, record.Twin))
                {
                    var rewritten = record with { Twin = twin };
                    tx.Put(rewritten);
                    if (pass.HasMetrics) pass.Recount(rewritten.ServiceDocument);
                }
                pass.CommitMetrics();
            }

            configurations.StageResults(tx, pass.Results());
            foreach (var (deviceId, reason) in failures)
                _logger.LogWarning("Configuration content could not be written into the twin of {DeviceId}: {Reason}", deviceId, reason);
            return new ConfigurationEvaluation(tx.Now, pass.Configurations.Count, twinCount, updatedCount, hub.Clock.GetElapsedTime(started), failures);
        });
    }

    /// <summary>The state of one evaluation: the configurations, the plans made so far and the counts.</summary>
    private sealed class Pass
    {
        private readonly long[] _targeted;
        private readonly long[] _applied;
        private readonly MetricCounter _metrics;
        private readonly Dictionary<TargetSet, ContentPlan> _plans = [];
        private readonly List<int> _targeting = [];

        public Pass(IReadOnlyList<DeviceConfiguration> configurations)
        {
            Configurations = configurations;
            _targeted = new long[configurations.Count];
            _applied = new long[configurations.Count];
            _metrics = new MetricCounter(configurations);
        }

        public IReadOnlyList<DeviceConfiguration> Configurations { get; }

        /// <summary>An empty target list, for a hub without configurations.</summary>
        public List<int> NoTargets { get; } = [];

        /// <summary>True when any configuration has a custom metric.</summary>
        public bool HasMetrics => _metrics.Any;

        /// <summary>
        /// Finds the positions of the configurations whose target the twin matches (a list reused per twin), and
        /// tries the twin against the custom metrics: if the evaluation leaves the twin as it is, those hits stand.
        /// </summary>
        public List<int> Inspect(JsonElement twin)
        {
            _targeting.Clear();
            for (var i = 0; i < Configurations.Count; i++)
            {
                if (Configurations[i].Target is { } target && target.Matches(twin)) _targeting.Add(i);
            }
            _metrics.Probe(twin);
            return _targeting;
        }

        /// <summary>Tries the twin as the evaluation rewrote it against the custom metrics instead.</summary>
        public void Recount(JsonElement twin) => _metrics.Probe(twin);

        /// <summary>Adds the last twin tried to the custom metric counts.</summary>
        public void CommitMetrics() => _metrics.Commit();

        // Twins targeted by the same configurations share a plan: at scale, few distinct sets cover many twins.
        public ContentPlan PlanFor(List<int> targeting)
        {
            var key = TargetSet.Of(targeting);
            if (!_plans.TryGetValue(key, out var plan))
            {
                plan = ContentResolver.Plan(targeting.Select(i => Configurations[i]));
                _plans[key] = plan;
            }
            return plan;
        }

        public void Tally(List<int> targeting, ImmutableHashSet<string> winners)
        {
            foreach (var i in targeting)
            {
                _targeted[i]++;
                if (winners.Contains(Configurations[i].Id)) _applied[i]++;
            }
        }

        public bool StatusesMatch(ImmutableSortedDictionary<string, string> current, List<int> targeting, ImmutableHashSet<string> winners)
        {
            if (current.Count != targeting.Count) return false;
            foreach (var i in targeting)
            {
                var id = Configurations[i].Id;
                if (!current.TryGetValue(id, out var status) || status != StatusOf(id, winners)) return false;
            }
            return true;
        }

        public ImmutableSortedDictionary<string, string> Statuses(List<int> targeting, ImmutableHashSet<string> winners)
            => targeting.ToImmutableSortedDictionary(i => Configurations[i].Id, i => StatusOf(Configurations[i].Id, winners), StringComparer.Ordinal);

        public IReadOnlyList<DeviceConfiguration> Results()
            => Configurations.Select((c, i) => c with
            {
                TargetedCount = _targeted[i],
                AppliedCount = _applied[i],
                MetricResults = _metrics.Results(i),
            }).ToList();

        private static string StatusOf(string id, ImmutableHashSet<string> winners)
            => winners.Contains(id) ? ConfigurationStatus.Applied : ConfigurationStatus.Targeted;
    }

    /// <summary>
    /// Counts the rows of every custom metric query as the twins go past. A plain query's row count is the
    /// number of twins its WHERE matches (capped by TOP); only aggregate or GROUP BY queries need the twins
    /// together, so only then are the documents kept and the query run whole.
    /// </summary>
    private sealed class MetricCounter
    {
        private readonly IReadOnlyList<DeviceConfiguration> _configurations;
        private readonly long[][] _matches;
        private readonly bool[][] _hits;
        private readonly List<JsonElement>? _kept;
        private JsonElement? _pending;

        public MetricCounter(IReadOnlyList<DeviceConfiguration> configurations)
        {
            _configurations = configurations;
            _matches = configurations.Select(c => new long[c.Metrics.Length]).ToArray();
            _hits = configurations.Select(c => new bool[c.Metrics.Length]).ToArray();
            if (configurations.Any(c => c.Metrics.Any(m => m.Query is { IsAggregate: true }))) _kept = [];
            Any = configurations.Any(c => !c.Metrics.IsEmpty);
        }

        /// <summary>True when there is a metric to count.</summary>
        public bool Any { get; }

        /// <summary>Tries a twin against every plain metric, remembering the hits until <see cref="Commit"/>.</summary>
        public void Probe(JsonElement document)
        {
            for (var i = 0; i < _configurations.Count; i++)
            {
                var metrics = _configurations[i].Metrics;
                for (var j = 0; j < metrics.Length; j++)
                    _hits[i][j] = metrics[j].Query is { IsAggregate: false } query && query.Matches(document);
            }
            // Documents are immutable: keeping one costs a reference, not a copy.
            if (_kept is not null) _pending = document;
        }

        /// <summary>Counts the hits of the last <see cref="Probe"/>.</summary>
        public void Commit()
        {
            for (var i = 0; i < _hits.Length; i++)
            {
                for (var j = 0; j < _hits[i].Length; j++)
                {
                    if (_hits[i][j]) _matches[i][j]++;
                }
            }
            if (_pending is { } pending) _kept!.Add(pending);
            _pending = null;
        }

        public ImmutableDictionary<string, long> Results(int configuration)
        {
            var metrics = _configurations[configuration].Metrics;
            var results = ImmutableDictionary.CreateBuilder<string, long>();
            for (var j = 0; j < metrics.Length; j++)
            {
                results[metrics[j].Name] = metrics[j].Query switch
                {
                    null => 0,
                    { IsAggregate: true } aggregate => aggregate.Execute(_kept!).Items.Count,
                    var plain => Math.Min(_matches[configuration][j], plain.Top ?? long.MaxValue),
                };
            }
            return results.ToImmutable();
        }
    }

    /// <summary>A set of configuration positions as a bit mask: a hub holds at most 100, so two words suffice.</summary>
    private readonly record struct TargetSet(ulong Low, ulong High)
    {
        public static TargetSet Of(List<int> positions)
        {
            ulong low = 0, high = 0;
            foreach (var p in positions)
            {
                if (p < 64) low |= 1UL << p;
                else high |= 1UL << (p - 64);
            }
            return new TargetSet(low, high);
        }
    }
}
