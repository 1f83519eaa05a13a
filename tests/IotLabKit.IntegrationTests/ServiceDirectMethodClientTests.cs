extern alias DeviceSdk;
using System.Text;
using IotLabKit.Protocol;
using IotLabKit.Service;
using DeviceClient = DeviceSdk::IotLabKit.Device.DeviceClient;
using DeviceClientOptions = DeviceSdk::IotLabKit.Device.DeviceClientOptions;
using MethodResponse = DeviceSdk::IotLabKit.Device.MethodResponse;
using TransportType = DeviceSdk::IotLabKit.Device.TransportType;

namespace IotLabKit.IntegrationTests;

/// <summary>
/// ServiceClient's direct methods end to end: our service client over HTTPS, the emulator, and our device client
/// over MQTT answering (the AZ-220 cheese-cave call included).
/// </summary>
[Collection(ServiceEmulatorCollection.Name)]
public sealed class ServiceDirectMethodClientTests(ServiceEmulatorFixture hub)
{
    private ServiceClient Service() => ServiceClient.CreateFromConnectionString(hub.Emulator.ConnectionString("service"), hub.Options());

    private async Task<(string Id, string Key)> NewDeviceAsync(string prefix)
    {
        using var registry = hub.Registry();
        var device = await registry.AddDeviceAsync(new Device(ServiceEmulatorFixture.NewDeviceId(prefix)));
        return (device.Id, device.Authentication!.SymmetricKey!.PrimaryKey!);
    }

    private DeviceClient Connect(string id, string key)
        => DeviceClient.CreateFromConnectionString(hub.Emulator.DeviceConnectionString(id, key), TransportType.Mqtt,
            new DeviceClientOptions { CaCertificatePath = hub.Emulator.Status.CaCertificatePath });

    [Fact]
    public async Task The_labs_SetFanState_call_reaches_the_device_and_its_answer_comes_back()
    {
        var (id, key) = await NewDeviceAsync("cheesecave");
        await using var device = Connect(id, key);
        string? received = null;
        await device.SetMethodHandlerAsync("SetFanState", (request, _) =>
        {
            received = request.DataAsJson;
            return Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes("""{"result":"Executed direct method: SetFanState"}"""), 200));
        }, null);
        using var service = Service();

        var method = new CloudToDeviceMethod("SetFanState") { ResponseTimeout = TimeSpan.FromSeconds(30) };
        method.SetPayloadJson("\"On\"");
        var result = await service.InvokeDeviceMethodAsync(id, method);

        Assert.Equal(200, result.Status);
        Assert.Equal("Executed direct method: SetFanState", (string?)result.Payload!["result"]);
        Assert.Contains("Executed direct method: SetFanState", result.GetPayloadAsJson());
        Assert.Equal("\"On\"", received);
    }

    [Fact]
    public async Task The_devices_own_failure_status_and_a_missing_handler_are_results()
    {
        var (id, key) = await NewDeviceAsync("fanfailed");
        await using var device = Connect(id, key);
        await device.SetMethodHandlerAsync("SetFanState", (_, _) =>
            Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes("""{"result":"Fan failed"}"""), 400)), null);
        using var service = Service();

        var failed = await service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("SetFanState").SetPayloadJson("\"On\""));
        Assert.Equal(400, failed.Status);
        Assert.Equal("Fan failed", (string?)failed.Payload!["result"]);

        var unhandled = await service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("noSuchMethod"));
        Assert.Equal(501, unhandled.Status);
    }

    [Fact]
    public async Task Offline_unknown_and_module_targets_are_the_typed_not_found_exceptions()
    {
        var (id, _) = await NewDeviceAsync("offline");
        using var service = Service();

        var offline = await Assert.ThrowsAsync<DeviceNotOnlineException>(() => service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("reboot")));
        Assert.Equal(IotHubErrorCode.DeviceNotOnline, offline.ErrorCode);
        Assert.Equal(404, offline.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(offline.Message));

        var unknown = await Assert.ThrowsAsync<DeviceNotFoundException>(() =>
            service.InvokeDeviceMethodAsync(ServiceEmulatorFixture.NewDeviceId("ghost"), new CloudToDeviceMethod("reboot")));
        Assert.Equal(IotHubErrorCode.DeviceNotFound, unknown.ErrorCode);

        var module = await Assert.ThrowsAsync<ModuleNotFoundException>(() => service.InvokeDeviceMethodAsync(id, "m1", new CloudToDeviceMethod("reboot")));
        Assert.Equal(IotHubErrorCode.ModuleNotFound, module.ErrorCode);
    }

    [Fact]
    public async Task A_device_that_does_not_answer_in_time_is_a_timeout_naming_device_method_and_wait()
    {
        var (id, key) = await NewDeviceAsync("silent");
        await using var device = Connect(id, key);
        var release = new TaskCompletionSource<MethodResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await device.SetMethodHandlerAsync("hang", (_, _) =>
        {
            called.TrySetResult();
            return release.Task;
        }, null);
        using var service = Service();
        try
        {
            var ex = await Assert.ThrowsAsync<IotHubTimeoutException>(() =>
                service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("hang", TimeSpan.FromSeconds(5))));
            Assert.True(called.Task.IsCompleted, "the device never got the call");
            Assert.Equal(IotHubErrorCode.GatewayTimeout, ex.ErrorCode);
            Assert.Equal(504, ex.StatusCode);
            Assert.Contains($"device '{id}'", ex.Message);
            Assert.Contains("'hang'", ex.Message);
            Assert.Contains("within 5 s", ex.Message);
        }
        finally
        {
            release.TrySetResult(new MethodResponse(200));
        }
    }

    [Fact]
    public async Task A_connect_timeout_lets_the_call_wait_for_the_device_to_come_online()
    {
        var (id, key) = await NewDeviceAsync("latecomer");
        using var service = Service();
        var call = service.InvokeDeviceMethodAsync(id, new CloudToDeviceMethod("hello", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60)).SetPayloadJson("{\"n\":1}"));

        await using var device = Connect(id, key);
        await device.SetMethodHandlerAsync("hello", (request, _) =>
            Task.FromResult(new MethodResponse(Encoding.UTF8.GetBytes(request.DataAsJson!), 200)), null);

        var result = await call;
        Assert.Equal(200, result.Status);
        Assert.Equal("{\"n\":1}", result.GetPayloadAsJson()!.Replace(" ", ""));
    }
}
