using System.Collections.Immutable;
using System.Text.Json.Nodes;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;

namespace IotLabKit.Emulator.Core.Telemetry;

/// <summary>
/// The consumer groups of the hub's Event Hubs-compatible endpoint: <c>$Default</c>, always there, and those created
/// (on a real hub through Azure Resource Manager, <c>az iot hub consumer-group create</c>; here through the emulator's
/// own REST routes). Stored with the hub (SQLite) through <see cref="HubState.Write{T}"/>; readers never lock.
/// Names follow Event Hubs: 1–50 letters, digits, <c>. - _</c>, starting and ending with a letter or digit, compared
/// ignoring case. At most <see cref="MaxGroups"/> per hub, <c>$Default</c> included.
/// </summary>
public sealed class ConsumerGroupRegistry
{
    /// <summary>The group every hub has, which cannot be deleted.</summary>
    public const string DefaultName = "$Default";

    /// <summary>IoT Hub's limit of consumer groups on the built-in endpoint (S1–S3), <c>$Default</c> included.</summary>
    public const int MaxGroups = 20;

    /// <summary>The longest name Event Hubs accepts.</summary>
    public const int MaxNameLength = 50;

    private static readonly ConsumerGroup Default = new(DefaultName, null);
    private readonly HubState _hub;
    private volatile ImmutableSortedDictionary<string, ConsumerGroup> _groups;

    /// <summary>Loads the stored groups.</summary>
    public ConsumerGroupRegistry(HubState hub)
    {
        _hub = hub;
        var loaded = ImmutableSortedDictionary.CreateBuilder<string, ConsumerGroup>(StringComparer.OrdinalIgnoreCase);
        foreach (var entity in hub.LoadCollection(StoreCollections.ConsumerGroups))
        {
            var json = JsonNode.Parse(entity.Json)!.AsObject();
            var name = (string)json["name"]!;
            loaded[name] = new ConsumerGroup(name, json["createdTimeUtc"]?.GetValue<DateTimeOffset>());
        }
        _groups = loaded.ToImmutable();
    }

    /// <summary><c>$Default</c> first, then the created groups by name.</summary>
    public IReadOnlyList<ConsumerGroup> All => [Default, .. _groups.Values];

    /// <summary>True when a reader may use <paramref name="name"/> (ignoring case, as Event Hubs does).</summary>
    public bool Exists(string name) => IsDefault(name) || _groups.ContainsKey(name);

    /// <summary>The group, or <c>404 GenericNotFound</c>.</summary>
    public ConsumerGroup Get(string name)
        => IsDefault(name) ? Default : _groups.GetValueOrDefault(name) ?? throw NotFound(name);

    /// <summary>
    /// Creates the group, or returns it when it exists (as ARM's PUT does). Bad names are <c>400 ArgumentInvalid</c>;
    /// one group over <see cref="MaxGroups"/> is <c>403 IotHubQuotaExceeded</c>.
    /// </summary>
    public ConsumerGroup Create(string name, out bool created)
    {
        RequireValidName(name);
        var isNew = false;
        var result = _hub.Write(tx =>
        {
            if (IsDefault(name)) return Default;
            if (_groups.GetValueOrDefault(name) is { } existing) return existing;
            if (_groups.Count + 1 >= MaxGroups)
                throw new HubException(IotHubErrorCode.IotHubQuotaExceeded,
                    $"The hub already has {MaxGroups} consumer groups ($Default included), IoT Hub's limit; delete one before creating '{name}'.");
            var group = new ConsumerGroup(name, tx.Now);
            var json = new JsonObject { ["name"] = name, ["createdTimeUtc"] = group.CreatedTimeUtc };
            tx.Stage(new StoreChange(StoreCollections.ConsumerGroups, name.ToLowerInvariant(), json.ToJsonString()));
            tx.OnCommitted(() => _groups = _groups.SetItem(name, group));
            isNew = true;
            return group;
        });
        created = isNew;
        return result;
    }

    /// <summary>Deletes the group: <c>404 GenericNotFound</c> when it does not exist, <c>400 ArgumentInvalid</c> for <c>$Default</c>.</summary>
    public void Delete(string name)
        => _hub.Write(tx =>
        {
            if (IsDefault(name))
                throw HubException.Invalid("The consumer group $Default cannot be deleted; every hub has it.");
            var existing = _groups.GetValueOrDefault(name) ?? throw NotFound(name);
            tx.Stage(new StoreChange(StoreCollections.ConsumerGroups, existing.Name.ToLowerInvariant(), null));
            tx.OnCommitted(() => _groups = _groups.Remove(existing.Name));
            return true;
        });

    /// <summary>Event Hubs' naming rule; throws <c>400 ArgumentInvalid</c> saying what is wrong.</summary>
    public static void RequireValidName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            throw HubException.Invalid("A consumer group needs a name.");
        if (IsDefault(name)) return;
        if (name.Length > MaxNameLength)
            throw HubException.Invalid($"The consumer group name '{name}' is {name.Length} characters long; Event Hubs allows at most {MaxNameLength}.");
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
                throw HubException.Invalid($"The consumer group name '{name}' contains '{c}'; use letters, digits, '.', '-' and '_'.");
        }
        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
            throw HubException.Invalid($"The consumer group name '{name}' must start and end with a letter or a digit.");
    }

    private static bool IsDefault(string name) => string.Equals(name, DefaultName, StringComparison.OrdinalIgnoreCase);

    private static HubException NotFound(string name)
        => new(IotHubErrorCode.GenericNotFound, $"The consumer group '{name}' does not exist on this hub's Event Hubs-compatible endpoint.");
}
