using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IotLabKit.Simulation.Tests.EndToEnd;

/// <summary>Lab 16's firmware update (az220-labs §2.5) through a real emulator.</summary>
[Collection(SimulationHubCollection.Name)]
public sealed partial class FirmwareUpdateTests(SimulationHub hub)
{
    private const string Lab16Firmware = """{"firmware":{"fwVersion":"1.0.1","fwPackageURI":"https://MyPackage.uri","fwPackageCheckValue":"1234"}}""";

    [Fact]
    public async Task Goes_through_every_status_in_order_to_1_0_1()
    {
        var (id, cs) = await hub.NewDeviceAsync("fw");
        var patches = new ConcurrentQueue<JsonObject>();
        var log = new ConcurrentQueue<string>();
        var options = hub.Options(SimulatedBehaviors.FirmwareUpdate);
        options.ReportObserver = patches.Enqueue;
        options.Log = log.Enqueue;
        await using var device = SimulatedDevice.Create(cs, options);
        await device.StartAsync();

        // Boot (step 0): the whole block, as InitDevice reports it.
        var boot = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "firmware", "fwUpdateStatus") == "current", "the boot block");
        Assert.Equal("1.0.0", SimulationHub.Text(boot, "firmware", "currentFwVersion"));
        var bootVersion = (long)boot["$version"]!;

        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":""" + Lab16Firmware + "}}", "*");
        var done = await hub.WaitForReportedAsync(id,
            r => SimulationHub.Text(r, "firmware", "currentFwVersion") == "1.0.1" && SimulationHub.Text(r, "firmware", "fwUpdateStatus") == "current",
            "currentFwVersion 1.0.1");
        // The device learns that the hub took its last patch a moment after the twin shows it.
        await SimulationHub.WaitUntilAsync(() => Task.FromResult(device.FirmwareVersion == "1.0.1" && device.FirmwareUpdateStatus == "current"),
            "the device to know its update is done");

        var sequence = patches.Select(p => p["firmware"]!.AsObject()).ToList();
        string Field(int i, string name) => SimulationHub.Text(sequence[i], name)!;
        Assert.Equal(11, sequence.Count);
        // 0: boot block, every field, empty strings.
        Assert.Equal(["currentFwVersion", "pendingFwVersion", "fwUpdateStatus", "fwUpdateSubstatus", "lastFwUpdateStartTime", "lastFwUpdateEndTime"],
            sequence[0].Select(p => p.Key));
        Assert.Equal(["1.0.0", "", "current", "", "", ""], sequence[0].Select(p => p.Value!.GetValue<string>()));
        // 1: the request: pending version and start time only.
        Assert.Equal(["pendingFwVersion", "lastFwUpdateStartTime"], sequence[1].Select(p => p.Key));
        Assert.Equal("1.0.1", Field(1, "pendingFwVersion"));
        Assert.Matches(LabTimestamp(), Field(1, "lastFwUpdateStartTime"));
        // 2-6: downloading 0, 25, 50, 75, 100.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(["fwUpdateStatus", "fwUpdateSubstatus"], sequence[2 + i].Select(p => p.Key));
            Assert.Equal("downloading", Field(2 + i, "fwUpdateStatus"));
            Assert.Equal((i * 25).ToString(System.Globalization.CultureInfo.InvariantCulture), Field(2 + i, "fwUpdateSubstatus"));
        }
        // 7-9: verifying, applying (status only), rebooting with the end time.
        Assert.Equal(["fwUpdateStatus"], sequence[7].Select(p => p.Key));
        Assert.Equal("verifying", Field(7, "fwUpdateStatus"));
        Assert.Equal(["fwUpdateStatus"], sequence[8].Select(p => p.Key));
        Assert.Equal("applying", Field(8, "fwUpdateStatus"));
        Assert.Equal(["fwUpdateStatus", "lastFwUpdateEndTime"], sequence[9].Select(p => p.Key));
        Assert.Equal("rebooting", Field(9, "fwUpdateStatus"));
        Assert.Matches(LabTimestamp(), Field(9, "lastFwUpdateEndTime"));
        // 10: the boot block again with the new version (which blanks the timestamps, as the lab's code does).
        Assert.Equal(["1.0.1", "", "current", "", "", ""], sequence[10].Select(p => p.Value!.GetValue<string>()));
        Assert.Equal(sequence[0].Select(p => p.Key), sequence[10].Select(p => p.Key));
        // The hub accepted every patch: the reported version moved once per patch after the boot block.
        Assert.Equal(bootVersion + 10, (long)done["$version"]!);

        Assert.Equal("1.0.1", device.FirmwareVersion);
        Assert.Equal("current", device.FirmwareUpdateStatus);
        var lines = log.ToList();
        int At(string text) => lines.FindIndex(l => l == $"{id}: {text}");
        Assert.True(At("A firmware update was requested from version 1.0.0 to version 1.0.1") > At("Current firmware version: 1.0.0"));
        Assert.True(At("Downloading new firmware package from https://MyPackage.uri") > 0);
        Assert.True(At("Verifying firmware package with checksum 1234") > At("The new firmware package has been successfully downloaded."));
        Assert.True(At("Current firmware version: 1.0.1") > At("Rebooting"));
    }

    [Fact]
    public async Task A_firmware_request_without_a_package_is_reported_as_an_error()
    {
        var (id, cs) = await hub.NewDeviceAsync("fwbad");
        await using var device = SimulatedDevice.Create(cs, hub.Options(SimulatedBehaviors.FirmwareUpdate));
        await device.StartAsync();
        await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "firmware", "fwUpdateStatus") == "current", "the boot block");

        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"firmware":{"fwVersion":"2.0.0"}}}}""", "*");
        var reported = await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "firmware", "fwUpdateStatus") == "error", "status error");

        Assert.Equal("The desired firmware has no fwPackageURI, fwPackageCheckValue.", SimulationHub.Text(reported, "firmware", "fwUpdateSubstatus"));
        Assert.Equal("1.0.0", SimulationHub.Text(reported, "firmware", "currentFwVersion"));
        Assert.Equal("1.0.0", device.FirmwareVersion);
    }

    [Fact]
    public async Task A_desired_firmware_already_in_the_twin_at_start_is_not_applied_as_in_the_lab()
    {
        var (id, cs) = await hub.NewDeviceAsync("fwstart");
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":""" + Lab16Firmware + "}}", "*");
        var patches = new ConcurrentQueue<JsonObject>();
        var options = hub.Options(SimulatedBehaviors.FirmwareUpdate | SimulatedBehaviors.TelemetryConfig);
        options.ReportObserver = patches.Enqueue;
        await using var device = SimulatedDevice.Create(cs, options);
        await device.StartAsync();
        // A telemetryConfig change after start is delivered and acted on; the firmware in the twin since before is not.
        await hub.Registry.UpdateTwinAsync(id, """{"properties":{"desired":{"telemetryConfig":{"sendFrequency":"7s"}}}}""", "*");
        await hub.WaitForReportedAsync(id, r => SimulationHub.Text(r, "telemetryConfig", "sendFrequency") == "7s", "the new telemetry configuration");

        Assert.DoesNotContain(patches, p => SimulationHub.Text(p, "firmware", "fwUpdateStatus") == "downloading");
        Assert.Equal("1.0.0", device.FirmwareVersion);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex LabTimestamp();
}
