using System.Text.Json.Nodes;

namespace IotLabKit.IntegrationTests;

/// <summary>Counts are hub-wide, so this class has an emulator of its own and nothing else creates devices in it.</summary>
public sealed class StatisticsApiTests(EmulatorFixture hub) : IClassFixture<EmulatorFixture>
{
    private async Task<JsonObject> GetAsync(string path, string policy = "iothubowner")
    {
        using var response = await hub.SendAsync(HttpMethod.Get, path, token: hub.Emulator.CreateServiceToken(policy));
        return await EmulatorFixture.ReadOkAsync(response);
    }

    [Fact]
    public async Task Registry_statistics_follow_creates_disables_and_deletes()
    {
        var before = await GetAsync("/statistics/devices");
        var a = EmulatorFixture.NewId("stat");
        var b = EmulatorFixture.NewId("stat");
        await hub.CreateDeviceAsync(a);
        await hub.CreateDeviceAsync(b, """{"status":"disabled"}""");
        var after = await GetAsync("/statistics/devices", "registryRead");
        Assert.Equal((long)before["totalDeviceCount"]! + 2, (long)after["totalDeviceCount"]!);
        Assert.Equal((long)before["enabledDeviceCount"]! + 1, (long)after["enabledDeviceCount"]!);
        Assert.Equal((long)before["disabledDeviceCount"]! + 1, (long)after["disabledDeviceCount"]!);

        using var delete = await hub.SendAsync(HttpMethod.Delete, $"/devices/{b}", ifMatch: "\"*\"");
        var final = await GetAsync("/statistics/devices");
        Assert.Equal((long)before["disabledDeviceCount"]!, (long)final["disabledDeviceCount"]!);
    }

    [Fact]
    public async Task Service_statistics_report_no_connected_devices_without_a_device_endpoint()
    {
        await hub.CreateDeviceAsync(EmulatorFixture.NewId("stat"));
        var stats = await GetAsync("/statistics/service");
        Assert.Equal(0, (long)stats["connectedDeviceCount"]!);
    }
}
