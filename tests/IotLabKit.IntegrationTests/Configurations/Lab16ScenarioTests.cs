extern alias DeviceSdk;
using System.Text.Json.Nodes;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;
using Service = IotLabKit.Service;

namespace IotLabKit.IntegrationTests.Configurations;

/// <summary>
/// AZ-220 Lab 16 end to end against a real emulator process: the firmware-update device connected over TLS+MQTT
/// with our device client, the <c>firmwareupdate</c> configuration created with our service client, the device
/// going through every status of the lab's state machine to 1.0.1, and the portal's numbers — Targeted 1,
/// Applied 1, fwupdated 1 — after the emulator's evaluate-now call.
/// </summary>
public sealed class Lab16ScenarioTests
{
    private const string DeviceId = "sensor-th-0155";
    private const string FwUpdatedQuery = "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_firmwareupdate_configuration_takes_the_device_to_1_0_1_and_the_metrics_count_it()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        var options = new Service.ServiceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath };
        using var registry = Service.RegistryManager.CreateFromConnectionString(emulator.ConnectionString(), options);
        using var admin = Service.EmulatorClient.CreateFromConnectionString(emulator.ConnectionString(), options);

        // Exercise 1: the lab's device exists (the setup script creates it).
        var device = await registry.AddDeviceAsync(new Service.Device(DeviceId));
        var deviceClient = DeviceClient.CreateFromConnectionString(
            emulator.DeviceConnectionString(DeviceId, device.Authentication!.SymmetricKey!.PrimaryKey!), TransportType.Mqtt,
            new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
        await using var simulator = new Lab16FirmwareDevice(deviceClient);

        // Exercise 3, task 1: start the device first ("Device booted", firmware 1.0.0).
        await simulator.StartAsync();
        var booted = await registry.GetTwinAsync(DeviceId);
        Assert.Equal("1.0.0", Firmware(booted.Properties.Reported, "currentFwVersion"));
        Assert.Equal("current", Firmware(booted.Properties.Reported, "fwUpdateStatus"));

        // Exercise 3, task 2: the portal wizard's configuration.
        var configuration = new Service.Configuration("firmwareupdate")
        {
            TargetCondition = $"deviceId='{DeviceId}'",
            Priority = 10,
            Content = new Service.ConfigurationContent
            {
                DeviceContent = new Dictionary<string, object?>
                {
                    ["properties.desired.firmware"] = new Dictionary<string, object?>
                    {
                        ["fwVersion"] = "1.0.1",
                        ["fwPackageURI"] = "https://MyPackage.uri",
                        ["fwPackageCheckValue"] = "1234",
                    },
                },
            },
        };
        configuration.Metrics.Queries["fwupdated"] = FwUpdatedQuery;
        var created = await registry.AddConfigurationAsync(configuration);
        Assert.Equal("firmwareupdate", created.Id);

        // The hub applies it shortly after creation; the device reacts to the desired change and updates itself.
        Assert.Equal("1.0.1", await simulator.Updated.WaitAsync(Patience));

        // Every status of the state machine, in order, each acknowledged by the hub.
        var reports = simulator.Reported.ToList();
        Assert.Equal(
            ["current", "(pending 1.0.1)", "downloading 0", "downloading 25", "downloading 50", "downloading 75", "downloading 100",
             "verifying", "applying", "rebooting", "current"],
            reports.Select(Describe));
        Assert.Equal("1.0.0", (string?)reports[0]["currentFwVersion"]);
        Assert.Equal("1.0.1", (string?)reports[^1]["currentFwVersion"]);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", (string)reports[1]["lastFwUpdateStartTime"]!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", (string)reports[9]["lastFwUpdateEndTime"]!);

        // Once the device reports 1.0.1, the next evaluation counts it (the emulator's evaluate-now call).
        var evaluation = await admin.EvaluateConfigurationsAsync();
        Assert.Equal(1, evaluation.ConfigurationCount);
        Assert.Empty(evaluation.FailedTwins);

        var counted = await registry.GetConfigurationAsync("firmwareupdate");
        Assert.NotNull(counted);
        Assert.Equal(1, counted.SystemMetrics.Results["targetedCount"]);
        Assert.Equal(1, counted.SystemMetrics.Results["appliedCount"]);
        Assert.Equal(1, counted.Metrics.Results["fwupdated"]);

        // What the student sees on the twin: the configuration's content, the device's report, status Applied.
        var twin = await registry.GetTwinAsync(DeviceId);
        Assert.Equal("1.0.1", Firmware(twin.Properties.Desired, "fwVersion"));
        Assert.Equal("1.0.1", Firmware(twin.Properties.Reported, "currentFwVersion"));
        Assert.Equal("current", Firmware(twin.Properties.Reported, "fwUpdateStatus"));
        Assert.Equal("", Firmware(twin.Properties.Reported, "lastFwUpdateEndTime"));
        Assert.Equal(Service.ConfigurationStatus.Applied, twin.Configurations!["firmwareupdate"].Status);

        // The metric queries say the same through the query API (the portal's "View Devices").
        foreach (var query in new[] { counted.SystemMetrics.Queries["appliedCount"], FwUpdatedQuery })
        {
            var rows = new List<JsonNode?>();
            await foreach (var row in Service.QueryExtensions.ReadAllAsync<JsonNode>(registry.CreateQuery(query))) rows.Add(row);
            Assert.Equal(DeviceId, (string?)Assert.Single(rows)!["deviceId"]);
        }
    }

    private static string? Firmware(Service.TwinCollection section, string name)
        => Assert.IsType<Service.TwinCollection>(section["firmware"]).GetValue<string>(name);

    // A report as the state machine's step: the status (with the download percentage), or the pending version.
    private static string Describe(JsonObject report)
    {
        if (report["fwUpdateStatus"] is { } status)
            return (string)status! == "downloading" ? $"downloading {(string?)report["fwUpdateSubstatus"]}" : (string)status!;
        if (report["fwUpdateSubstatus"] is { } substatus) return $"downloading {(string?)substatus}";
        return $"(pending {(string?)report["pendingFwVersion"]})";
    }
}
