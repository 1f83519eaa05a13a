using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public class DeviceRegistryTests
{
    private readonly ManualClock _clock = new();
    private readonly HubState _hub;
    private readonly DeviceRegistry _registry;
    private readonly TwinStore _twins;

    public DeviceRegistryTests()
    {
        _hub = new HubState(new InMemoryHubStore(), _clock);
        _registry = new DeviceRegistry(_hub);
        _twins = new TwinStore(_hub);
    }

    private DeviceIdentity Create(string id, DeviceSettings? settings = null)
        => _registry.CreateOrUpdate(id, settings ?? new DeviceSettings(), ETagCondition.None, out _);

    [Fact]
    public void Create_generates_both_keys_an_etag_and_a_generation_id()
    {
        var device = Create("d1");
        Assert.Equal(AuthenticationType.Sas, device.Authentication.Type);
        Assert.Equal(32, Convert.FromBase64String(device.Authentication.PrimaryKey!).Length);
        Assert.NotEqual(device.Authentication.PrimaryKey, device.Authentication.SecondaryKey);
        Assert.False(string.IsNullOrEmpty(device.GenerationId));
        Assert.Equal(_clock.Now, device.StatusUpdatedTime);
        Assert.False(device.Connected);
    }

    [Fact]
    public void Given_keys_are_kept()
    {
        var key = Convert.ToBase64String(new byte[32]);
        var device = Create("d1", new DeviceSettings { Authentication = new DeviceAuthentication { PrimaryKey = key, SecondaryKey = key } });
        Assert.Equal(key, device.Authentication.PrimaryKey);
    }

    [Fact]
    public void Creating_an_existing_id_without_if_match_is_a_conflict()
    {
        Create("d1");
        var ex = Assert.Throws<HubException>(() => Create("d1"));
        Assert.Equal(IotHubErrorCode.DeviceAlreadyExists, ex.Code);
    }

    [Fact]
    public void Update_needs_if_match_and_checks_it()
    {
        var device = Create("d1");
        var disabled = new DeviceSettings { Status = DeviceStatus.Disabled, StatusReason = "why" };

        var stale = Assert.Throws<HubException>(() => _registry.CreateOrUpdate("d1", disabled, ETagCondition.For("bogus"), out _));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, stale.Code);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var updated = _registry.CreateOrUpdate("d1", disabled, ETagCondition.For(device.ETag), out var created);
        Assert.False(created);
        Assert.Equal(DeviceStatus.Disabled, updated.Status);
        Assert.Equal(_clock.Now, updated.StatusUpdatedTime);
        Assert.NotEqual(device.ETag, updated.ETag);
        Assert.Equal(device.GenerationId, updated.GenerationId);

        var missing = Assert.Throws<HubException>(() => _registry.CreateOrUpdate("nope", disabled, ETagCondition.Any, out _));
        Assert.Equal(IotHubErrorCode.DeviceNotFound, missing.Code);
    }

    [Fact]
    public void Body_device_id_must_match_the_path()
    {
        var ex = Assert.Throws<HubException>(() => Create("d1", new DeviceSettings { DeviceId = "d2" }));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.Code);
    }

    [Fact]
    public void A_recreated_device_gets_a_new_generation_and_never_an_old_etag()
    {
        var first = Create("d1");
        _registry.Delete("d1", ETagCondition.Any);
        var second = Create("d1");
        Assert.NotEqual(first.GenerationId, second.GenerationId);
        Assert.NotEqual(first.ETag, second.ETag);
    }

    [Fact]
    public void Delete_checks_if_match_and_removes_the_twin()
    {
        var device = Create("d1");
        Assert.Equal(IotHubErrorCode.PreconditionFailed,
            Assert.Throws<HubException>(() => _registry.Delete("d1", ETagCondition.For("nope"))).Code);
        _registry.Delete("d1", ETagCondition.For(device.ETag));
        Assert.Null(_registry.Find("d1"));
        Assert.Equal(IotHubErrorCode.DeviceNotFound, Assert.Throws<HubException>(() => _twins.Get("d1")).Code);
        Assert.Equal(IotHubErrorCode.DeviceNotFound, Assert.Throws<HubException>(() => _registry.Delete("d1", ETagCondition.None)).Code);
    }

    [Fact]
    public void List_is_in_id_order_and_honours_top()
    {
        foreach (var id in new[] { "c", "a", "b" }) Create(id);
        Assert.Equal(["a", "b", "c"], _registry.List().Select(d => d.DeviceId));
        Assert.Equal(["a", "b"], _registry.List(2).Select(d => d.DeviceId));
        Assert.Equal(3, _registry.List(0).Count);
    }

    [Fact]
    public void Statistics_count_enabled_disabled_and_connected()
    {
        Create("a");
        Create("b", new DeviceSettings { Status = DeviceStatus.Disabled });
        Create("c");
        Assert.Equal(new RegistryStatistics(3, 2, 1), _registry.GetRegistryStatistics());
        Assert.Equal(0, _registry.GetServiceStatistics().ConnectedDeviceCount);
        _registry.SetConnectionState("a", true);
        Assert.Equal(1, _registry.GetServiceStatistics().ConnectedDeviceCount);
        Assert.Equal("Connected", (string?)_twins.Get("a")["connectionState"]);
    }

    [Fact]
    public void Desired_changes_are_announced_with_their_version_after_commit()
    {
        Create("d1");
        var seen = new List<DesiredPropertiesChange>();
        _twins.DesiredPropertiesChanged += seen.Add;
        _twins.Update("d1", TwinWrite.Parse(JsonNode.Parse("""{"tags":{"t":1}}""")!.AsObject()), ETagCondition.None);
        Assert.Empty(seen);
        _twins.Update("d1", TwinWrite.Parse(JsonNode.Parse("""{"properties":{"desired":{"x":1}}}""")!.AsObject()), ETagCondition.None);
        var change = Assert.Single(seen);
        Assert.Equal("d1", change.DeviceId);
        Assert.Equal(2, change.Version);
        Assert.Equal("""{"x":1,"$version":2}""", change.Patch.ToJsonString());
    }

    [Fact]
    public void Twin_if_match_uses_the_twin_etag()
    {
        Create("d1");
        var twin = _twins.Get("d1");
        var write = TwinWrite.Parse(JsonNode.Parse("""{"properties":{"desired":{"x":1}}}""")!.AsObject());
        var updated = _twins.Update("d1", write, ETagCondition.For((string)twin["etag"]!));
        Assert.Equal(IotHubErrorCode.PreconditionFailed,
            Assert.Throws<HubException>(() => _twins.Update("d1", write, ETagCondition.For((string)twin["etag"]!))).Code);
        _twins.Update("d1", write, ETagCondition.Any);
        Assert.NotEqual((string)twin["etag"]!, (string)updated["etag"]!);
    }

    [Fact]
    public void Reported_patches_merge_through_the_same_rules()
    {
        Create("d1");
        Assert.Equal(2, _twins.UpdateReported("d1", JsonNode.Parse("""{"t":21}""")!.AsObject()));
        Assert.Equal(3, _twins.UpdateReported("d1", JsonNode.Parse("""{"t":null}""")!.AsObject()));
        Assert.Equal("""{"desired":{"$version":1},"reported":{"$version":3}}""", _twins.GetForDevice("d1").ToJsonString());
    }

    [Fact]
    public void An_update_without_keys_keeps_the_device_keys_and_new_keys_replace_them()
    {
        var device = Create("d1");
        var disabled = _registry.CreateOrUpdate("d1", new DeviceSettings { Status = DeviceStatus.Disabled }, ETagCondition.Any, out _);
        Assert.Equal(device.Authentication, disabled.Authentication);

        var key = Convert.ToBase64String(new byte[32]);
        var rekeyed = _registry.CreateOrUpdate("d1", new DeviceSettings { Authentication = new DeviceAuthentication { PrimaryKey = key } }, ETagCondition.Any, out _);
        Assert.Equal(key, rekeyed.Authentication.PrimaryKey);
        Assert.Equal(device.Authentication.SecondaryKey, rekeyed.Authentication.SecondaryKey);
    }
}
