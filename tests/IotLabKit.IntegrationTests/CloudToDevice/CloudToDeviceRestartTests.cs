extern alias DeviceSdk;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Service;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;
using ServiceMessage = IotLabKit.Service.Message;

namespace IotLabKit.IntegrationTests.CloudToDevice;

/// <summary>Queued cloud-to-device messages and their counts are durable: they outlive a kill of the emulator (SQLite).</summary>
public sealed class CloudToDeviceRestartTests
{
    [Fact]
    public async Task Queued_messages_survive_a_kill_and_reach_the_device_after_the_restart()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { HttpsPort = FreePort(), MqttPort = FreePort(), AmqpsPort = FreePort(), AmqpPort = FreePort() });
        using var http = emulator.CreateHttpClient();
        var id = "keep-" + Guid.NewGuid().ToString("N")[..8];
        var device = JsonNode.Parse(await SendAsync(emulator, http, HttpMethod.Put, $"/devices/{id}", $$"""{"deviceId":"{{id}}"}"""))!;
        var key = (string)device["authentication"]!["symmetricKey"]!["primaryKey"]!;

        await using (var service = NewServiceClient(emulator))
        {
            await service.SendAsync(id, new ServiceMessage("first") { MessageId = "k1", Ack = DeliveryAcknowledgement.PositiveOnly });
            await service.SendAsync(id, new ServiceMessage("second") { MessageId = "k2", Ack = DeliveryAcknowledgement.PositiveOnly });
        }

        await emulator.KillAsync();
        await emulator.RestartAsync();

        var after = JsonNode.Parse(await SendAsync(emulator, http, HttpMethod.Get, $"/devices/{id}", null))!;
        Assert.Equal(2, (int)after["cloudToDeviceMessageCount"]!);
        await using var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(id, key), TransportType.Mqtt,
            new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
        var one = await client.ReceiveAsync(TimeSpan.FromSeconds(30));
        var two = await client.ReceiveAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["first", "second"], new[] { one, two }.Select(m => Encoding.UTF8.GetString(m!.GetBytes())));
        await using var again = NewServiceClient(emulator);
        Assert.Equal(IotLabKit.Service.FeedbackStatusCode.Success, (await CloudToDeviceTests.FeedbackForAsync(again, "k1")).StatusCode);
    }

    private static ServiceClient NewServiceClient(EmulatorProcess emulator)
        => ServiceClient.CreateFromConnectionString(emulator.ConnectionString("service"),
            new ServiceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath, AmqpsPort = emulator.Status.AmqpsPort });

    private static async Task<string> SendAsync(EmulatorProcess emulator, HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, $"{path}?api-version=2021-04-12");
        request.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
