using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Amqp;
using Amqp.Listener;
using IotLabKit.Emulator.Core.CloudToDevice;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Emulator.Hosting;
using IotLabKit.Emulator.Security;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Amqp;

/// <summary>
/// The emulator's AMQP endpoint (AMQPNetLite's listener): AMQPS with the emulator's certificate, and plain AMQP for
/// <c>UseDevelopmentEmulator=true</c> clients, both on loopback. Request node <c>$management</c>; other links
/// (<c>$cbs</c> included) go through <see cref="AmqpLinkRouter"/>.
/// </summary>
public sealed class AmqpEndpoint : IDisposable
{
    private readonly ContainerHost _host;
    private readonly AmqpsFrontDoor _frontDoor;
    private readonly AmqpWebSocketGateway _webSockets;

    private AmqpEndpoint(ContainerHost host, AmqpsFrontDoor frontDoor, AmqpWebSocketGateway webSockets, int amqpsPort, int amqpPort)
    {
        _host = host;
        _frontDoor = frontDoor;
        _webSockets = webSockets;
        AmqpsPort = amqpsPort;
        AmqpPort = amqpPort;
    }

    /// <summary>The AMQP-over-TLS port.</summary>
    public int AmqpsPort { get; }

    /// <summary>The plain AMQP port (development clients only).</summary>
    public int AmqpPort { get; }

    /// <summary>Opens both listeners and AMQP over WebSocket (<paramref name="webSockets"/>). A default port that is taken falls back to any free port (with a line on stderr); a port asked for explicitly that is taken fails.</summary>
    public static AmqpEndpoint Start(EmulatorSettings settings, X509Certificate2 certificate, TelemetryStore telemetry, ConsumerGroupRegistry consumerGroups, SasValidator validator,
        TimeProvider clock, ILoggerFactory loggerFactory, CloudToDeviceQueue cloudToDevice, FeedbackQueue feedback, AmqpWebSocketGateway webSockets)
    {
        var amqpsPort = ChoosePort("AMQPS", settings.AmqpsPort, EmulatorSettings.DefaultAmqpsPort);
        var amqpPort = ChoosePort("AMQP", settings.AmqpPort, EmulatorSettings.DefaultAmqpPort, avoid: amqpsPort);
        // AMQPS (through AmqpsFrontDoor) and AMQP over WebSocket go to the SASL listener (the plain port) or to a loopback one without SASL.
        var noSaslPort = ChoosePort("AMQP (internal)", 0, 0, avoid: amqpsPort);
        var host = new ContainerHost(
            [new Address("127.0.0.1", amqpPort, null, null, "/", "amqp"), new Address("127.0.0.1", noSaslPort, null, null, "/", "amqp")],
            certificate);
        host.Listeners[0].SASL.EnableAnonymousMechanism = true;
        host.Listeners[0].SASL.EnableMechanism(CbsSaslProfile.Name, new CbsSaslProfile());
        var authorization = new AmqpAuthorization(validator, clock);
        var logger = loggerFactory.CreateLogger<AmqpEndpoint>();
        host.RegisterRequestProcessor("$management", new EventHubManagementProcessor(telemetry, authorization, settings.HubName, clock.GetUtcNow()));
        host.RegisterLinkProcessor(new AmqpLinkRouter(telemetry, consumerGroups, authorization, settings.HubName, logger,
            new CloudToDeviceLinks(cloudToDevice, feedback, authorization, settings.HubName, logger), new CbsNode(new CbsProcessor(authorization))));
        AmqpsFrontDoor frontDoor;
        var relay = new AmqpConnectionRelay(amqpPort, noSaslPort, logger);
        try
        {
            host.Open();
            frontDoor = AmqpsFrontDoor.Start(amqpsPort, certificate, relay, logger);
        }
        catch (SocketException ex)
        {
            host.Close();
            throw new SettingsException($"Cannot listen for AMQP on ports {amqpsPort}/{amqpPort}: {ex.Message}");
        }
        webSockets.Attach(relay);
        return new AmqpEndpoint(host, frontDoor, webSockets, amqpsPort, amqpPort);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _webSockets.Attach(null);
        _frontDoor.Dispose();
        _host.Close();
    }

    private static int ChoosePort(string what, int? requested, int defaultPort, int avoid = -1)
    {
        if (requested is > 0) return requested.Value;
        if (requested is null && defaultPort != avoid && IsFree(defaultPort)) return defaultPort;
        if (requested is null)
            Console.Error.WriteLine($"{what} port {defaultPort} is not available; using any free port instead (see the status).");
        // AMQPNetLite binds by number only, so a free port is found first; another process could take it in between.
        for (var attempt = 0; ; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (port != avoid || attempt > 5) return port;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException) { return false; }
    }
}
