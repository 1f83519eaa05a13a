using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.IntegrationTests;

[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceRegistryTests(ServiceEmulatorFixture hub)
{
    [Fact]
    public async Task Device_lifecycle_add_get_update_remove()
    {
        using var registry = hub.Registry();
        var id = ServiceEmulatorFixture.NewDeviceId("life");

        var added = await registry.AddDeviceAsync(new Device(id));
        Assert.Equal(id, added.Id);
        Assert.False(string.IsNullOrEmpty(added.ETag));
        Assert.False(string.IsNullOrEmpty(added.GenerationId));
        Assert.Equal(DeviceStatus.Enabled, added.Status);
        Assert.Equal(DeviceConnectionState.Disconnected, added.ConnectionState);
        Assert.Equal(AuthenticationType.Sas, added.Authentication!.Type);
        Assert.InRange(Convert.FromBase64String(added.Authentication.SymmetricKey!.PrimaryKey!).Length, 16, 64);
        Assert.NotEqual(added.Authentication.SymmetricKey.PrimaryKey, added.Authentication.SymmetricKey.SecondaryKey);

        var read = await registry.GetDeviceAsync(id);
        Assert.NotNull(read);
        Assert.Equal(added.ETag, read.ETag);
        Assert.Equal(added.Authentication.SymmetricKey.PrimaryKey, read.Authentication!.SymmetricKey!.PrimaryKey);

        read.Status = DeviceStatus.Disabled;
        read.StatusReason = "maintenance";
        var updated = await registry.UpdateDeviceAsync(read);
        Assert.Equal(DeviceStatus.Disabled, updated.Status);
        Assert.Equal("maintenance", updated.StatusReason);
        Assert.NotEqual(added.ETag, updated.ETag);
        Assert.Equal(DeviceStatus.Disabled, (await registry.GetDeviceAsync(id))!.Status);

        await registry.RemoveDeviceAsync(updated);
        Assert.Null(await registry.GetDeviceAsync(id));
    }

    [Fact]
    public async Task Adding_an_existing_device_is_DeviceAlreadyExists()
    {
        using var registry = hub.Registry();
        var id = ServiceEmulatorFixture.NewDeviceId("dup");
        await registry.AddDeviceAsync(new Device(id));

        var ex = await Assert.ThrowsAsync<DeviceAlreadyExistsException>(() => registry.AddDeviceAsync(new Device(id)));
        Assert.Equal(409, ex.StatusCode);
        Assert.Equal(IotHubErrorCode.DeviceAlreadyExists, ex.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        Assert.False(string.IsNullOrWhiteSpace(ex.TrackingId));
    }

    [Fact]
    public async Task A_missing_device_is_null_from_GetDevice_and_DeviceNotFound_elsewhere()
    {
        using var registry = hub.Registry();
        var id = ServiceEmulatorFixture.NewDeviceId("ghost");

        Assert.Null(await registry.GetDeviceAsync(id));
        var twin = await Assert.ThrowsAsync<DeviceNotFoundException>(() => registry.GetTwinAsync(id));
        Assert.Equal(IotHubErrorCode.DeviceNotFound, twin.ErrorCode);
        Assert.Equal(404, twin.StatusCode);
        Assert.Contains(id, twin.Message);
        var remove = await Assert.ThrowsAsync<DeviceNotFoundException>(() => registry.RemoveDeviceAsync(id));
        Assert.Equal(IotHubErrorCode.DeviceNotFound, remove.ErrorCode);
    }

    [Fact]
    public async Task A_stale_device_etag_is_PreconditionFailed_and_force_overrides_it()
    {
        using var registry = hub.Registry();
        var id = ServiceEmulatorFixture.NewDeviceId("stale");
        var first = await registry.AddDeviceAsync(new Device(id));
        var second = await registry.UpdateDeviceAsync(new Device(id) { ETag = first.ETag, Status = DeviceStatus.Disabled, Authentication = first.Authentication });

        first.StatusReason = "lost update";
        var ex = await Assert.ThrowsAsync<PreconditionFailedException>(() => registry.UpdateDeviceAsync(first));
        Assert.Equal(IotHubErrorCode.PreconditionFailed, ex.ErrorCode);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => registry.RemoveDeviceAsync(first));
        Assert.NotNull(await registry.GetDeviceAsync(id));

        var forced = await registry.UpdateDeviceAsync(first, forceUpdate: true);
        Assert.Equal("lost update", forced.StatusReason);
        Assert.NotEqual(second.ETag, forced.ETag);
        await registry.RemoveDeviceAsync(id);
    }

    [Fact]
    public async Task Ids_with_url_special_characters_round_trip()
    {
        using var registry = hub.Registry();
        var id = "lab:07+a%b#c?d=e@f;$'(x)," + Guid.NewGuid().ToString("N")[..6];
        var added = await registry.AddDeviceAsync(new Device(id));
        Assert.Equal(id, added.Id);
        Assert.Equal(id, (await registry.GetDeviceAsync(id))!.Id);
        Assert.Equal(id, (await registry.GetTwinAsync(id)).DeviceId);
        await registry.RemoveDeviceAsync(id);
        Assert.Null(await registry.GetDeviceAsync(id));
    }

    [Fact]
    public async Task Given_keys_are_kept()
    {
        using var registry = hub.Registry();
        var id = ServiceEmulatorFixture.NewDeviceId("keys");
        var primary = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var secondary = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var added = await registry.AddDeviceAsync(new Device(id)
        {
            Authentication = new AuthenticationMechanism { SymmetricKey = new SymmetricKey { PrimaryKey = primary, SecondaryKey = secondary } },
        });
        Assert.Equal(primary, added.Authentication!.SymmetricKey!.PrimaryKey);
        Assert.Equal(secondary, added.Authentication.SymmetricKey.SecondaryKey);
    }

    [Fact]
    public async Task Device_list_and_statistics_count_what_was_added()
    {
        using var registry = hub.Registry();
        var before = await registry.GetRegistryStatisticsAsync();
        var enabled = ServiceEmulatorFixture.NewDeviceId("stat-on");
        var disabled = ServiceEmulatorFixture.NewDeviceId("stat-off");
        await registry.AddDeviceAsync(new Device(enabled));
        await registry.AddDeviceAsync(new Device(disabled) { Status = DeviceStatus.Disabled });

        var after = await registry.GetRegistryStatisticsAsync();
        Assert.Equal(before.TotalDeviceCount + 2, after.TotalDeviceCount);
        Assert.Equal(before.EnabledDeviceCount + 1, after.EnabledDeviceCount);
        Assert.Equal(before.DisabledDeviceCount + 1, after.DisabledDeviceCount);

        var listed = (await registry.GetDevicesAsync(1000)).Select(d => d.Id).ToList();
        Assert.Contains(enabled, listed);
        Assert.Contains(disabled, listed);
        Assert.Single(await registry.GetDevicesAsync(1));

        var service = await registry.GetServiceStatisticsAsync();
        Assert.Equal(0, service.ConnectedDeviceCount);
    }
}
