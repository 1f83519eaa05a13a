using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;

namespace IotLabKit.UnitTests.Emulator;

public sealed class HubStateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "iotlabkit-unit-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private sealed class FailingStore : IHubStore
    {
        public bool Fail { get; set; }
        public string Kind => "failing";
        public IReadOnlyList<StoredEntity> LoadAll(string collection) => [];
        public void Apply(IReadOnlyList<StoreChange> changes)
        {
            if (Fail) throw new IOException("disk full");
        }
        public void Dispose() { }
    }

    [Fact]
    public void A_write_the_store_refuses_is_not_visible()
    {
        var store = new FailingStore();
        using var hub = new HubState(store, new ManualClock());
        var registry = new DeviceRegistry(hub);
        registry.CreateOrUpdate("d1", new DeviceSettings(), ETagCondition.None, out _);
        store.Fail = true;
        Assert.Throws<IOException>(() => registry.CreateOrUpdate("d2", new DeviceSettings(), ETagCondition.None, out _));
        Assert.Null(registry.Find("d2"));
        Assert.Equal(1, registry.GetRegistryStatistics().TotalDeviceCount);
    }

    [Fact]
    public void Sqlite_keeps_identity_and_twin_across_reopen()
    {
        var clock = new ManualClock();
        DeviceIdentity created;
        string twinBefore;
        using (var hub = new HubState(new SqliteHubStore(_dir), clock))
        {
            var registry = new DeviceRegistry(hub);
            var twins = new TwinStore(hub);
            created = registry.CreateOrUpdate("d1", new DeviceSettings { Status = DeviceStatus.Disabled, StatusReason = "r" }, ETagCondition.None, out _);
            twins.Update("d1", TwinWrite.Parse(System.Text.Json.Nodes.JsonNode.Parse("""{"tags":{"a":[1,2]},"properties":{"desired":{"x":{"y":"é+<"}}}}""")!.AsObject()), ETagCondition.None);
            twins.UpdateReported("d1", System.Text.Json.Nodes.JsonNode.Parse("""{"r":true}""")!.AsObject());
            twinBefore = twins.Get("d1").ToJsonString();
        }
        using (var hub = new HubState(new SqliteHubStore(_dir), clock))
        {
            var registry = new DeviceRegistry(hub);
            Assert.Equal(created, registry.Get("d1"));
            Assert.Equal(twinBefore, new TwinStore(hub).Get("d1").ToJsonString());
            var next = registry.CreateOrUpdate("d2", new DeviceSettings(), ETagCondition.None, out _);
            Assert.True(next.ETagCounter > created.ETagCounter, "etag counters continue after a reload");
        }
    }

    [Fact]
    public void Sqlite_batches_are_atomic()
    {
        using var store = new SqliteHubStore(_dir);
        store.Apply([new StoreChange("c", "a", "{}")]);
        // A null id violates NOT NULL half-way through the batch, so the whole batch must roll back.
        var changes = new List<StoreChange> { new("c", "b", "{}"), new("c", null!, "{}") };
        Assert.ThrowsAny<Exception>(() => store.Apply(changes));
        Assert.Equal(["a"], store.LoadAll("c").Select(e => e.Id));
        store.Apply([new StoreChange("c", "a", null), new StoreChange("c", "z", "[1]")]);
        Assert.Equal(["z"], store.LoadAll("c").Select(e => e.Id));
    }

    private sealed class CountingStore : IHubStore
    {
        public List<int> Batches { get; } = [];
        public string Kind => "counting";
        public IReadOnlyList<StoredEntity> LoadAll(string collection) => [];
        public void Apply(IReadOnlyList<StoreChange> changes) => Batches.Add(changes.Count);
        public void Dispose() { }
    }

    [Fact]
    public void One_write_with_many_devices_is_one_store_batch()
    {
        var store = new CountingStore();
        using var hub = new HubState(store, new ManualClock());
        var count = hub.Write(tx =>
        {
            for (var i = 0; i < 10_000; i++)
                tx.Put(new DeviceRecord(new DeviceIdentity
                {
                    DeviceId = $"bulk-{i:D5}",
                    GenerationId = tx.NextGenerationId(),
                    ETagCounter = tx.NextDeviceETag(),
                    Authentication = new DeviceAuthentication(),
                }, TwinDocument.Create(tx.Now)));
            return tx.DeviceCount;
        });
        Assert.Equal(10_000, count);
        Assert.Equal([10_000], store.Batches);
        Assert.Equal(10_000, hub.Read(v => v.DeviceCount));
    }
}
