using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceTwinTests(ServiceEmulatorFixture hub)
{
    private async Task<(RegistryManager Registry, string Id)> NewDeviceAsync(string prefix)
    {
        var registry = hub.Registry();
        var id = ServiceEmulatorFixture.NewDeviceId(prefix);
        await registry.AddDeviceAsync(new Device(id));
        return (registry, id);
    }

    [Fact]
    public async Task A_new_twin_has_identity_fields_and_empty_versioned_properties()
    {
        var (registry, id) = await NewDeviceAsync("fresh");
        using var _ = registry;
        var twin = await registry.GetTwinAsync(id);
        Assert.Equal(id, twin.DeviceId);
        Assert.False(string.IsNullOrEmpty(twin.ETag));
        Assert.Equal(DeviceStatus.Enabled, twin.Status);
        Assert.Equal(DeviceConnectionState.Disconnected, twin.ConnectionState);
        Assert.Equal(AuthenticationType.Sas, twin.AuthenticationType);
        Assert.Empty(twin.Properties.Desired);
        Assert.Empty(twin.Properties.Reported);
        Assert.True(twin.Properties.Desired.Version >= 1);
        Assert.NotNull(twin.Properties.Desired.GetLastUpdated());
    }

    [Fact]
    public async Task Patch_with_the_current_etag_then_a_stale_one_is_PreconditionFailed()
    {
        var (registry, id) = await NewDeviceAsync("etag");
        using var _ = registry;
        var original = await registry.GetTwinAsync(id);

        var patch = new Twin();
        patch.Properties.Desired["telemetryDelay"] = 5;
        patch.Tags["room"] = "lab-3";
        var updated = await registry.UpdateTwinAsync(id, patch, original.ETag!);
        Assert.Equal(5L, updated.Properties.Desired["telemetryDelay"]);
        Assert.Equal("lab-3", updated.Tags["room"]);
        Assert.NotEqual(original.ETag, updated.ETag);
        Assert.Equal(original.Properties.Desired.Version + 1, updated.Properties.Desired.Version);
        Assert.NotNull(updated.Properties.Desired.GetPropertyMetadata("telemetryDelay")?.LastUpdated);

        patch.Properties.Desired["telemetryDelay"] = 10;
        var ex = await Assert.ThrowsAsync<PreconditionFailedException>(() => registry.UpdateTwinAsync(id, patch, original.ETag!));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, ex.ErrorCode);
        Assert.Equal(412, ex.StatusCode);
        Assert.Equal(5L, (await registry.GetTwinAsync(id)).Properties.Desired["telemetryDelay"]);

        var forced = await registry.UpdateTwinAsync(id, patch, "*");
        Assert.Equal(10L, forced.Properties.Desired["telemetryDelay"]);
    }

    [Fact]
    public async Task Null_in_a_patch_deletes_and_untouched_members_stay()
    {
        var (registry, id) = await NewDeviceAsync("nulls");
        using var _ = registry;
        await registry.UpdateTwinAsync(id, """{"properties":{"desired":{"a":1,"keep":"me","b":{"c":2,"d":3}}}}""", "*");

        var twin = await registry.UpdateTwinAsync(id, """{"properties":{"desired":{"a":null,"b":{"c":null}}}}""", "*");
        var desired = twin.Properties.Desired;
        Assert.False(desired.Contains("a"));
        Assert.Equal("me", desired["keep"]);
        var b = Assert.IsType<TwinCollection>(desired["b"]);
        Assert.False(b.Contains("c"));
        Assert.Equal(3L, b["d"]);
    }

    [Fact]
    public async Task A_twin_read_from_the_hub_can_be_edited_and_patched_back()
    {
        var (registry, id) = await NewDeviceAsync("edit");
        using var _ = registry;
        await registry.UpdateTwinAsync(id, """{"tags":{"site":"a"},"properties":{"desired":{"limits":{"max":40}}}}""", "*");

        var twin = await registry.GetTwinAsync(id);
        ((TwinCollection)twin.Properties.Desired["limits"]!)["max"] = 45;
        twin.Tags["site"] = "b";
        var after = await registry.UpdateTwinAsync(id, twin, twin.ETag!);

        Assert.Equal(45L, ((TwinCollection)after.Properties.Desired["limits"]!)["max"]);
        Assert.Equal("b", after.Tags["site"]);
    }

    [Fact]
    public async Task Replace_swaps_tags_and_desired_wholesale()
    {
        var (registry, id) = await NewDeviceAsync("replace");
        using var _ = registry;
        var patched = await registry.UpdateTwinAsync(id, """{"tags":{"x":1,"y":2},"properties":{"desired":{"old":true}}}""", "*");

        var replacement = new Twin();
        replacement.Tags["z"] = 3;
        replacement.Properties.Desired["new"] = "yes";
        var replaced = await registry.ReplaceTwinAsync(id, replacement, patched.ETag!);

        Assert.Equal(new[] { "z" }, replaced.Tags.Keys);
        Assert.Equal(new[] { "new" }, replaced.Properties.Desired.Keys);
        Assert.Equal(3L, replaced.Tags["z"]);

        var stale = await Assert.ThrowsAsync<PreconditionFailedException>(() => registry.ReplaceTwinAsync(id, replacement, patched.ETag!));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, stale.ErrorCode);

        var cleared = await registry.ReplaceTwinAsync(id, """{"tags":{},"properties":{"desired":{}}}""", "*");
        Assert.Empty(cleared.Tags);
        Assert.Empty(cleared.Properties.Desired);
    }

    [Fact]
    public async Task Reported_properties_in_a_service_patch_are_not_written()
    {
        var (registry, id) = await NewDeviceAsync("reported");
        using var _ = registry;
        var patch = new Twin();
        patch.Properties.Reported["fw"] = "hacked";
        patch.Properties.Desired["ok"] = 1;
        var twin = await registry.UpdateTwinAsync(id, patch, "*");
        Assert.False(twin.Properties.Reported.Contains("fw"));
        Assert.Equal(1L, twin.Properties.Desired["ok"]);
    }

    [Fact]
    public async Task An_invalid_twin_key_is_an_IotHubArgumentException_with_the_hubs_text()
    {
        var (registry, id) = await NewDeviceAsync("badkey");
        using var _ = registry;
        var ex = await Assert.ThrowsAsync<IotHubArgumentException>(
            () => registry.UpdateTwinAsync(id, """{"properties":{"desired":{"bad.key":1}}}""", "*"));
        Assert.Equal(400, ex.StatusCode);
        Assert.NotNull(ex.ErrorName);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}
