using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;

namespace IotLabKit.UnitTests.Emulator;

public class ConsumerGroupRegistryTests
{
    private readonly ManualClock _clock = new();
    private readonly InMemoryHubStore _store = new();

    [Theory]
    [InlineData("a")]
    [InlineData("operators")]
    [InlineData("Lab.15_op-2")]
    [InlineData("$default")]
    public void Accepts_Event_Hubs_names(string name) => ConsumerGroupRegistry.RequireValidName(name);

    [Theory]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("x_")]
    [InlineData(".x")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("$Other")]
    [InlineData("é")]
    public void Refuses_other_names_as_ArgumentInvalid(string name)
    {
        var ex = Assert.Throws<HubException>(() => ConsumerGroupRegistry.RequireValidName(name));
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.Code);
    }

    [Fact]
    public void Refuses_a_name_over_50_characters()
    {
        ConsumerGroupRegistry.RequireValidName(new string('a', 50));
        Assert.Throws<HubException>(() => ConsumerGroupRegistry.RequireValidName(new string('a', 51)));
    }

    [Fact]
    public void Created_groups_are_found_ignoring_case_kept_by_the_store_and_Default_always_exists()
    {
        var registry = new ConsumerGroupRegistry(new HubState(_store, _clock));
        Assert.True(registry.Exists("$Default"));
        Assert.False(registry.Exists("ops"));

        var group = registry.Create("Ops", out var created);
        Assert.True(created);
        Assert.Equal(_clock.GetUtcNow(), group.CreatedTimeUtc);
        Assert.True(registry.Exists("OPS"));
        Assert.Same(group, registry.Create("ops", out created));
        Assert.False(created);

        var reloaded = new ConsumerGroupRegistry(new HubState(_store, _clock));
        Assert.Equal(["$Default", "Ops"], reloaded.All.Select(g => g.Name));
        Assert.Equal(group.CreatedTimeUtc, reloaded.Get("ops").CreatedTimeUtc);
        reloaded.Delete("OPS");
        Assert.False(new ConsumerGroupRegistry(new HubState(_store, _clock)).Exists("ops"));
    }

    [Fact]
    public void Twenty_groups_with_Default_is_the_limit_and_Default_cannot_be_deleted()
    {
        var registry = new ConsumerGroupRegistry(new HubState(_store, _clock));
        for (var i = 1; i < ConsumerGroupRegistry.MaxGroups; i++) registry.Create($"g{i}", out _);
        Assert.Equal(20, registry.All.Count);
        var full = Assert.Throws<HubException>(() => registry.Create("one-more", out _));
        Assert.Equal(IotHubErrorCode.IotHubQuotaExceeded, full.Code);
        Assert.Equal(IotHubErrorCode.ArgumentInvalid, Assert.Throws<HubException>(() => registry.Delete("$Default")).Code);
        Assert.Equal(IotHubErrorCode.GenericNotFound, Assert.Throws<HubException>(() => registry.Delete("never")).Code);
    }
}
