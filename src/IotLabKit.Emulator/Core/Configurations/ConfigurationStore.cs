using System.Collections.Immutable;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core.Configurations;

/// <summary>
/// The hub's automatic device configurations: create, read, update (only target condition, priority, labels and
/// metrics), delete, list. Writes go through <see cref="HubState.Write{T}"/> (stored in the same kind of batch as
/// devices, under the hub's one lock) and are published as an immutable snapshot, so readers never lock.
/// Knows nothing of HTTP; errors are <see cref="HubException"/>s.
/// </summary>
public sealed class ConfigurationStore
{
    private readonly HubState _hub;
    private readonly ILogger _logger;
    private volatile ImmutableSortedDictionary<string, DeviceConfiguration> _configurations;
    private long _sequence;

    /// <summary>Loads the stored configurations.</summary>
    public ConfigurationStore(HubState hub, ILogger<ConfigurationStore>? logger = null)
    {
        _hub = hub;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var loaded = ImmutableSortedDictionary.CreateBuilder<string, DeviceConfiguration>(StringComparer.Ordinal);
        foreach (var entity in hub.LoadCollection(StoreCollections.Configurations))
        {
            var configuration = ConfigurationSerializer.Deserialize(entity.Json, _logger);
            loaded[configuration.Id] = configuration;
            _sequence = Math.Max(_sequence, Math.Max(configuration.ETagCounter, configuration.CreationSequence));
        }
        _configurations = loaded.ToImmutable();
    }

    /// <summary>
    /// Raised after a configuration was created, updated or deleted (stored and visible), under the hub's lock:
    /// handlers only signal (the engine's scheduler evaluates soon after), never block or call back.
    /// </summary>
    public event Action? Changed;

    /// <summary>Every configuration, in id order.</summary>
    public IReadOnlyList<DeviceConfiguration> All => _configurations.Values.ToList();

    /// <summary>How many configurations there are.</summary>
    public int Count => _configurations.Count;

    /// <summary>The configuration, or null.</summary>
    public DeviceConfiguration? Find(string id) => _configurations.GetValueOrDefault(id);

    /// <summary>The configuration, or <c>ConfigurationNotFound</c>.</summary>
    public DeviceConfiguration Get(string id) => Find(id) ?? throw NotFound(id);

    /// <summary>Up to <paramref name="top"/> configurations in id order (all when null or out of range).</summary>
    public IReadOnlyList<DeviceConfiguration> List(int? top = null)
    {
        var all = _configurations.Values;
        return (top is >= 1 ? all.Take(top.Value) : all).ToList();
    }

    /// <summary>
    /// Creates the configuration, or updates it when <paramref name="ifMatch"/> is present (IoT Hub's PUT rule:
    /// no If-Match means "create", and an existing id is then a conflict). An update may change the target
    /// condition, priority, labels and metrics; the content is fixed.
    /// </summary>
    public DeviceConfiguration CreateOrUpdate(string id, ConfigurationRequest request, ETagCondition ifMatch, out bool created)
    {
        ConfigurationValidator.RequireValidId(id);
        if (request.Id is not null && !string.Equals(request.Id, id, StringComparison.Ordinal))
            throw HubException.Invalid($"The id in the body ('{request.Id}') does not match the configuration id in the request path ('{id}').");
        ConfigurationValidator.RequireValidPriority(request.Priority);
        var target = ConfigurationValidator.ParseTargetCondition(request.TargetCondition);
        ConfigurationValidator.RequireMetricCount(request.MetricQueries.Count);
        var metrics = request.MetricQueries.Select(m =>
        {
            ConfigurationValidator.RequireValidMetricName(m.Key);
            return new ConfigurationMetric(m.Key, m.Value!, ConfigurationValidator.ParseMetricQuery(m.Key, m.Value));
        }).ToImmutableArray();
        var content = request.DeviceContent is { } deviceContent ? ConfigurationContent.Parse(deviceContent) : null;
        var labels = request.Labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

        var isCreate = !ifMatch.IsPresent;
        created = isCreate;
        return _hub.Write(tx =>
        {
            var current = _configurations;
            var existing = current.GetValueOrDefault(id);
            var now = tx.Now;
            var sequence = _sequence + 1;
            DeviceConfiguration result;
            if (isCreate)
            {
                if (existing is not null)
                    throw new HubException(IotHubErrorCode.ConfigurationAlreadyExists, $"A configuration with id '{id}' already exists.");
                if (current.Count >= ConfigurationValidator.MaxConfigurations) throw ConfigurationValidator.CountLimitExceeded();
                result = new DeviceConfiguration
                {
                    Id = id,
                    SchemaVersion = request.SchemaVersion ?? "1.0",
                    Labels = labels,
                    Content = content ?? ConfigurationContent.Empty,
                    TargetCondition = request.TargetCondition,
                    Target = target,
                    Priority = (int)request.Priority,
                    Metrics = metrics,
                    MetricResults = metrics.ToImmutableDictionary(m => m.Name, _ => 0L),
                    CreatedTime = now,
                    LastUpdatedTime = now,
                    CreationSequence = sequence,
                    ETagCounter = sequence,
                };
            }
            else
            {
                if (existing is null) throw NotFound(id);
                ifMatch.Verify(existing.ETag, $"configuration {id}");
                if (content is not null && !content.SameAs(existing.Content))
                    throw new HubException(IotHubErrorCode.CannotModifyImmutableConfigurationContent,
                        $"The content of configuration '{id}' cannot be changed once it is created; an update may change only " +
                        "targetCondition, priority, labels and metrics. Create a configuration with a new id for new content.");
                result = existing with
                {
                    SchemaVersion = request.SchemaVersion ?? existing.SchemaVersion,
                    Labels = labels,
                    TargetCondition = request.TargetCondition,
                    Target = target,
                    Priority = (int)request.Priority,
                    Metrics = metrics,
                    MetricResults = metrics.ToImmutableDictionary(m => m.Name, m => existing.MetricResults.GetValueOrDefault(m.Name)),
                    LastUpdatedTime = now,
                    ETagCounter = sequence,
                };
            }
            tx.Stage(new StoreChange(StoreCollections.Configurations, id, ConfigurationSerializer.Serialize(result)));
            tx.OnCommitted(() =>
            {
                _sequence = sequence;
                _configurations = _configurations.SetItem(id, result);
                Changed?.Invoke();
            });
            return result;
        });
    }

    /// <summary>Deletes the configuration if <paramref name="ifMatch"/> allows. Twins keep the values it wrote.</summary>
    public void Delete(string id, ETagCondition ifMatch)
        => _hub.Write(tx =>
        {
            var existing = _configurations.GetValueOrDefault(id) ?? throw NotFound(id);
            ifMatch.Verify(existing.ETag, $"configuration {id}");
            tx.Stage(new StoreChange(StoreCollections.Configurations, id, null));
            tx.OnCommitted(() =>
            {
                _configurations = _configurations.Remove(id);
                Changed?.Invoke();
            });
            return true;
        });

    /// <summary>
    /// Stages an evaluation's metric results inside the engine's transaction. Only configurations that still
    /// exist are kept (the transaction holds the hub's lock, so none can go in between).
    /// </summary>
    internal void StageResults(HubState.HubTransaction tx, IReadOnlyList<DeviceConfiguration> evaluated)
    {
        var changed = evaluated
            .Where(c => _configurations.TryGetValue(c.Id, out var current) && current.ETagCounter == c.ETagCounter && !SameResults(current, c))
            .ToList();
        if (changed.Count == 0) return;
        foreach (var configuration in changed)
            tx.Stage(new StoreChange(StoreCollections.Configurations, configuration.Id, ConfigurationSerializer.Serialize(configuration)));
        tx.OnCommitted(() => _configurations = _configurations.SetItems(changed.Select(c => KeyValuePair.Create(c.Id, c))));
    }

    private static bool SameResults(DeviceConfiguration a, DeviceConfiguration b)
        => a.TargetedCount == b.TargetedCount && a.AppliedCount == b.AppliedCount
           && a.MetricResults.Count == b.MetricResults.Count
           && a.MetricResults.All(r => b.MetricResults.TryGetValue(r.Key, out var v) && v == r.Value);

    private static HubException NotFound(string id)
        => new(IotHubErrorCode.ConfigurationNotFound, $"The configuration '{id}' does not exist.");
}
