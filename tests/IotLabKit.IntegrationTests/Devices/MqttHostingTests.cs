using System.Net;
using System.Net.Sockets;
using IotLabKit.Testing;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>The MQTT port at start-up: reported in the status, and a taken explicit port named in the failure.</summary>
public sealed class MqttHostingTests
{
    [Fact]
    public async Task Status_reports_the_bound_mqtt_port()
    {
        await using var emulator = await EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true });
        Assert.NotEqual(0, emulator.Status.MqttPort);
        Assert.NotEqual(emulator.Status.HttpsPort, emulator.Status.MqttPort);
        using var probe = new TcpClient();
        await probe.ConnectAsync(IPAddress.Loopback, emulator.Status.MqttPort);
        Assert.Contains($"MQTT over TLS on port {emulator.Status.MqttPort}", emulator.StandardOutput);
    }

    [Fact]
    public async Task A_taken_explicit_mqtt_port_stops_start_up_and_names_the_port()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            EmulatorProcess.StartAsync(new EmulatorOptions { InMemory = true, MqttPort = port }));
        Assert.Contains($"Cannot listen on port {port}", failure.Message);
    }
}
