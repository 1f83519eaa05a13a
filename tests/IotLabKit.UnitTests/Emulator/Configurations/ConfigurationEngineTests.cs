using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator.Configurations;

/// <summary>The engine over a real hub core (in-memory store, hand-moved clock): targeting, writes, statuses, metrics.</summary>
public sealed class ConfigurationEngineTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly HubState _hub;
    private readonly DeviceRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConfigurationStore _store;
    private readonly ConfigurationEngine _engine;
    private readonly List<DesiredPropertiesChange> _notifications = [];

    public ConfigurationEngineTests()
    {
        _hub = new HubState(new InMemoryHubStore(), _clock);
        _registry = new DeviceRegistry(_hub);
        _twins = new TwinStore(_hub);
        _twins.DesiredPropertiesChanged += _notifications.Add;
        _store = new ConfigurationStore(_hub);
        _engine = new ConfigurationEngine(_hub, _twins, _store);
    }

    public void Dispose() => _hub.Dispose();

    private void Device(string id, string? tags = null)
    {
        _registry.CreateOrUpdate(id, new DeviceSettings(), ETagCondition.None, out _);
        if (tags is not null) _twins.Update(id, new TwinWrite(JsonNode.Parse(tags)!.AsObject(), null), ETagCondition.None);
    }

    private DeviceConfiguration Create(string id, string target, int priority, string content, params (string Name, string Query)[] metrics)
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var request = new ConfigurationRequest(null, null, [], JsonNode.Parse(content)!.AsObject(), target, priority,
            metrics.Select(m => new KeyValuePair<string, string?>(m.Name, m.Query)).ToList());
        return _store.CreateOrUpdate(id, request, ETagCondition.None, out _);
    }

    private JsonObject Twin(string id) => _twins.Get(id);
    private static JsonNode? Desired(JsonObject twin, string key) => twin["properties"]!["desired"]![key];
    private static long DesiredVersion(JsonObject twin) => (long)twin["properties"]!["desired"]!["$version"]!;
    private static string? Status(JsonObject twin, string configurationId) => (string?)twin["configurations"]?[configurationId]?["status"];

    [Fact]
    public void Content_goes_only_into_targeted_twins_with_a_desired_version_and_a_notification()
    {
        Device("a", """{"env":"test"}""");
        Device("b", """{"env":"prod"}""");
        Create("cfg", "tags.env = 'test'", 1, """{"properties.desired.mode":"eco"}""");

        var result = _engine.Evaluate();

        Assert.Equal(1, result.UpdatedTwinCount);
        Assert.Equal(2, result.TwinCount);
        var a = Twin("a");
        Assert.Equal("eco", (string?)Desired(a, "mode"));
        Assert.Equal(2, DesiredVersion(a));
        Assert.Equal(2, (long)a["properties"]!["desired"]!["$metadata"]!["mode"]!["$lastUpdatedVersion"]!);
        Assert.Equal("Applied", Status(a, "cfg"));
        var b = Twin("b");
        Assert.Null(Desired(b, "mode"));
        Assert.Null(b["configurations"]);
        var note = Assert.Single(_notifications);
        Assert.Equal("a", note.DeviceId);
        Assert.Equal("""{"mode":"eco","$version":2}""", note.Patch.ToJsonString());
    }

    [Fact]
    public void A_second_evaluation_writes_nothing_and_notifies_nobody()
    {
        Device("a");
        Create("cfg", "*", 1, """{"properties.desired.mode":"eco"}""");
        _engine.Evaluate();
        var before = Twin("a");
        _notifications.Clear();

        var again = _engine.Evaluate();

        Assert.Equal(0, again.UpdatedTwinCount);
        Assert.Empty(_notifications);
        Assert.Equal(before.ToJsonString(), Twin("a").ToJsonString());
    }

    [Fact]
    public void The_loser_on_every_path_stays_Targeted_and_the_counts_say_so()
    {
        Device("a");
        Create("high", "*", 10, """{"properties.desired.mode":"turbo"}""");
        Create("low", "*", 1, """{"properties.desired.mode":"eco"}""");
        _engine.Evaluate();

        var twin = Twin("a");
        Assert.Equal("turbo", (string?)Desired(twin, "mode"));
        Assert.Equal("Applied", Status(twin, "high"));
        Assert.Equal("Targeted", Status(twin, "low"));
        var low = _store.Get("low");
        Assert.Equal((1, 0), (low.TargetedCount, low.AppliedCount));
        var high = _store.Get("high");
        Assert.Equal((1, 1), (high.TargetedCount, high.AppliedCount));
    }

    [Fact]
    public void A_twin_leaving_the_target_keeps_the_values_and_loses_the_entry_and_the_next_configuration_applies()
    {
        Device("a", """{"ring":"fast"}""");
        Create("fast", "tags.ring = 'fast'", 10, """{"properties.desired.mode":"turbo","properties.desired.fastOnly":1}""");
        Create("all", "*", 1, """{"properties.desired.mode":"eco"}""");
        _engine.Evaluate();
        Assert.Equal("turbo", (string?)Desired(Twin("a"), "mode"));

        _twins.Update("a", new TwinWrite(JsonNode.Parse("""{"ring":"slow"}""")!.AsObject(), null), ETagCondition.None);
        _engine.Evaluate();

        var twin = Twin("a");
        Assert.Equal("eco", (string?)Desired(twin, "mode"));
        Assert.Equal(1, (long)Desired(twin, "fastOnly")!);
        Assert.Null(Status(twin, "fast"));
        Assert.Equal("Applied", Status(twin, "all"));
        Assert.Equal(0, _store.Get("fast").TargetedCount);
    }

    [Fact]
    public void Deleting_a_configuration_leaves_its_values_and_lets_the_next_one_apply()
    {
        Device("a");
        Create("high", "*", 10, """{"properties.desired.mode":"turbo","properties.desired.extra":true}""");
        Create("low", "*", 1, """{"properties.desired.mode":"eco"}""");
        _engine.Evaluate();

        _store.Delete("high", ETagCondition.None);
        _engine.Evaluate();

        var twin = Twin("a");
        Assert.Equal("eco", (string?)Desired(twin, "mode"));
        Assert.True((bool)Desired(twin, "extra")!);
        Assert.Null(Status(twin, "high"));
        Assert.Equal("Applied", Status(twin, "low"));

        _store.Delete("low", ETagCondition.None);
        _engine.Evaluate();
        twin = Twin("a");
        Assert.Equal("eco", (string?)Desired(twin, "mode"));
        Assert.Null(twin["configurations"]);
    }

    [Fact]
    public void Custom_metrics_count_the_rows_of_their_query_over_the_twins_after_the_writes()
    {
        Device("a");
        Device("b");
        Device("c", """{"skip":true}""");
        Create("cfg", "NOT IS_DEFINED(tags.skip)", 1, """{"properties.desired.fw":"1.0.1"}""",
            ("gotIt", "SELECT deviceId FROM devices WHERE properties.desired.fw = '1.0.1'"),
            ("applied", "SELECT deviceId FROM devices WHERE configurations.[[cfg]].status = 'Applied'"));

        _engine.Evaluate();

        var cfg = _store.Get("cfg");
        Assert.Equal(2, cfg.MetricResults["gotIt"]);
        Assert.Equal(2, cfg.MetricResults["applied"]);
        Assert.Equal((2, 2), (cfg.TargetedCount, cfg.AppliedCount));
    }

    [Fact]
    public void The_system_metric_queries_select_exactly_the_counted_twins()
    {
        Device("a", """{"env":"test"}""");
        Device("b", """{"env":"test"}""");
        Device("c");
        Create("win", "tags.env = 'test'", 5, """{"properties.desired.x":1}""");
        Create("lose", "*", 1, """{"properties.desired.x":2}""");
        _engine.Evaluate();

        var twins = _twins.Snapshot();
        foreach (var configuration in _store.All)
        {
            Assert.Equal(configuration.TargetedCount, IotLabKit.Query.QueryParser.Parse(configuration.TargetedCountQuery).Execute(twins).Items.Count);
            Assert.Equal(configuration.AppliedCount, IotLabKit.Query.QueryParser.Parse(configuration.AppliedCountQuery).Execute(twins).Items.Count);
        }
        Assert.Equal((2, 2), (_store.Get("win").TargetedCount, _store.Get("win").AppliedCount));
        Assert.Equal((3, 1), (_store.Get("lose").TargetedCount, _store.Get("lose").AppliedCount));
    }

    [Fact]
    public void A_twin_that_cannot_take_the_content_is_reported_and_the_others_still_get_it()
    {
        Device("full");
        Device("ok");
        var filler = new JsonObject();
        for (var i = 0; i < 8; i++) filler[$"f{i}"] = new string('x', 4000);
        _twins.Update("full", new TwinWrite(null, filler), ETagCondition.None);
        Create("cfg", "*", 1, $$"""{"properties.desired.big":"{{new string('y', 2000)}}"}""");

        var result = _engine.Evaluate();

        Assert.Equal("full", Assert.Single(result.FailedTwins).Key);
        Assert.Equal("Targeted", Status(Twin("full"), "cfg"));
        Assert.Equal("Applied", Status(Twin("ok"), "cfg"));
        Assert.Equal(1, _store.Get("cfg").AppliedCount);
    }

    [Fact]
    public void Statuses_do_not_move_the_twin_etag_or_version()
    {
        Device("a");
        Create("empty", "*", 1, "{}");
        var before = Twin("a");
        _engine.Evaluate();
        var after = Twin("a");
        Assert.Equal("Targeted", Status(after, "empty"));
        Assert.Equal((string?)before["etag"], (string?)after["etag"]);
        Assert.Equal((long)before["version"]!, (long)after["version"]!);
    }

    [Fact]
    public void Metric_results_and_twin_statuses_survive_a_reload_of_the_store()
    {
        var dir = Path.Combine(Path.GetTempPath(), "iotlabkit-unit-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using (var hub = new HubState(new SqliteHubStore(dir), _clock))
            {
                var registry = new DeviceRegistry(hub);
                var store = new ConfigurationStore(hub);
                registry.CreateOrUpdate("a", new DeviceSettings(), ETagCondition.None, out _);
                store.CreateOrUpdate("cfg", new ConfigurationRequest(null, null, [new("team", "blue")], JsonNode.Parse("""{"properties.desired.x":1}""")!.AsObject(),
                    "*", 3, [new("m", "SELECT deviceId FROM devices WHERE properties.desired.x = 1")]), ETagCondition.None, out _);
                new ConfigurationEngine(hub, new TwinStore(hub), store).Evaluate();
            }
            using (var hub = new HubState(new SqliteHubStore(dir), _clock))
            {
                var store = new ConfigurationStore(hub);
                var cfg = store.Get("cfg");
                Assert.Equal((1, 1, 1L), (cfg.TargetedCount, cfg.AppliedCount, cfg.MetricResults["m"]));
                Assert.Equal("blue", cfg.Labels["team"]);
                Assert.Equal(3, cfg.Priority);
                Assert.NotNull(cfg.Target);
                Assert.Equal("Applied", Status(new TwinStore(hub).Get("a"), "cfg"));
                var next = store.CreateOrUpdate("other", new ConfigurationRequest(null, null, [], null, "", 0, []), ETagCondition.None, out _);
                Assert.True(next.CreationSequence > cfg.CreationSequence, "creation order survives a restart (priority ties)");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Creating_is_a_conflict_when_the_id_exists_and_updating_checks_the_etag_and_the_content()
    {
        var created = Create("cfg", "*", 1, """{"properties.desired.x":1}""");
        Assert.Equal("MQ==", created.ETag);
        var conflict = Assert.Throws<HubException>(() => Create("cfg", "*", 1, "{}"));
        Assert.Equal(IotHubErrorCode.ConfigurationAlreadyExists, conflict.Code);

        var update = new ConfigurationRequest(null, null, [], null, "tags.x = 1", 7, []);
        Assert.Equal(IotHubErrorCode.PreconditionFailed,
            Assert.Throws<HubException>(() => _store.CreateOrUpdate("cfg", update, ETagCondition.For("stale"), out _)).Code);
        var updated = _store.CreateOrUpdate("cfg", update, ETagCondition.For(created.ETag), out var wasCreated);
        Assert.False(wasCreated);
        Assert.Equal(7, updated.Priority);
        Assert.NotEqual(created.ETag, updated.ETag);
        Assert.Equal(created.Content.Tree.ToJsonString(), updated.Content.Tree.ToJsonString());

        var changedContent = update with { DeviceContent = JsonNode.Parse("""{"properties.desired.x":2}""")!.AsObject() };
        Assert.Equal(IotHubErrorCode.CannotModifyImmutableConfigurationContent,
            Assert.Throws<HubException>(() => _store.CreateOrUpdate("cfg", changedContent, ETagCondition.Any, out _)).Code);
        var sameContent = update with { DeviceContent = JsonNode.Parse("""{"properties.desired":{"x":1}}""")!.AsObject() };
        _store.CreateOrUpdate("cfg", sameContent, ETagCondition.Any, out _);

        Assert.Equal(IotHubErrorCode.ConfigurationNotFound,
            Assert.Throws<HubException>(() => _store.CreateOrUpdate("nope", update, ETagCondition.Any, out _)).Code);
    }

    [Fact]
    public void The_hub_holds_at_most_100_configurations()
    {
        for (var i = 0; i < ConfigurationValidator.MaxConfigurations; i++) Create($"c{i}", "", 0, "{}");
        var ex = Assert.Throws<HubException>(() => Create("one-too-many", "", 0, "{}"));
        Assert.Equal(IotHubErrorCode.ConfigurationCountLimitExceeded, ex.Code);
        Assert.Equal(413, ex.HttpStatus);
        Assert.Null(_store.Find("one-too-many"));
    }
}
