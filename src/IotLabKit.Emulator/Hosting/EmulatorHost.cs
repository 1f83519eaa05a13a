using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.CloudToDevice;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Jobs;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Emulator.Core.Query;
using IotLabKit.Emulator.Core.Telemetry;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Errors;
using IotLabKit.Emulator.Amqp;
using IotLabKit.Emulator.Mqtt;
using IotLabKit.Emulator.Rest;
using IotLabKit.Emulator.Security;
using IotLabKit.Emulator.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.AspNetCore;

namespace IotLabKit.Emulator.Hosting;

/// <summary>
/// Starts the emulator: keys, certificates and store from the data directory, the hub core, Kestrel on loopback
/// with TLS 1.2/1.3, then the status line and file. Runs until Ctrl+C, SIGTERM or the parent process exits.
/// </summary>
public static class EmulatorHost
{
    /// <summary>The largest request body the emulator reads.</summary>
    public const long MaxRequestBodyBytes = 4 * 1024 * 1024;

    /// <summary>Runs the emulator; returns the process exit code.</summary>
    public static async Task<int> RunAsync(EmulatorSettings settings)
    {
        Directory.CreateDirectory(settings.DataDir);
        using var dataDirLock = settings.InMemory ? null : LockDataDir(settings.DataDir);
        var clock = TimeProvider.System;
        SharedAccessPolicies policies;
        EmulatorCertificates certificates;
        using (AcquireInitLock(settings.DataDir))
        {
            policies = HubSettingsFile.LoadOrCreate(settings.DataDir);
            certificates = EmulatorCertificates.LoadOrCreate(Path.Combine(settings.DataDir, "certs"), settings.HostName, clock);
        }
        using var certificatesLifetime = certificates;
        IHubStore store = settings.InMemory ? new InMemoryHubStore() : new SqliteHubStore(settings.DataDir);

        using var loggerFactory = CreateLoggerFactory(settings.Verbose);
        using var hub = new HubState(store, clock, loggerFactory.CreateLogger<HubState>());
        await using var telemetry = new TelemetryStore(
            settings.InMemory ? new InMemoryTelemetryLog() : new SqliteTelemetryLog(settings.DataDir),
            settings.TelemetryPartitions, settings.TelemetryRetention, clock, loggerFactory.CreateLogger<TelemetryStore>());

        var httpsPorts = settings.HttpsPort is { } p ? [p] : new[] { EmulatorSettings.DefaultHttpsPort, EmulatorSettings.FallbackHttpsPort };
        // Another emulator (or broker) may hold 8883; devices then find the port in the status file, or use the HTTPS port.
        var mqttPorts = settings.MqttPort is { } m ? [m] : new[] { EmulatorSettings.DefaultMqttPort, 0 };
        WebApplication? app = null;
        BoundPorts? bound = null;
        for (int h = 0, q = 0; app is null;)
        {
            var ports = new BoundPorts(httpsPorts[h], mqttPorts[q]);
            var candidate = Build(settings, ports, hub, telemetry, policies, certificates, clock);
            try
            {
                await candidate.StartAsync();
                app = candidate;
                bound = ports;
            }
            catch (Exception ex) when (IsBindFailure(ex))
            {
                await candidate.DisposeAsync();
                var mqttFailed = ports.MqttPort != 0 && MentionsPort(ex, ports.MqttPort);
                if (mqttFailed && q + 1 < mqttPorts.Length)
                {
                    Console.Error.WriteLine($"MQTT port {mqttPorts[q]} is not available ({ex.GetBaseException().Message}); using any free port instead (see mqttPort in the status).");
                    q++;
                }
                else if (!mqttFailed && h + 1 < httpsPorts.Length)
                {
                    Console.Error.WriteLine($"Port {httpsPorts[h]} is not available ({ex.GetBaseException().Message}); using {httpsPorts[h + 1]} instead.");
                    h++;
                }
                else
                {
                    Console.Error.WriteLine($"Cannot listen on port {(mqttFailed ? ports.MqttPort : ports.HttpsPort)}: {ex.GetBaseException().Message}");
                    return 1;
                }
            }
        }

        await using (app)
        {
            var jobs = app.Services.GetRequiredService<JobEngine>();
            jobs.Start(app.Services.GetService<IDirectMethodInvoker>());
            var port = bound!.ActualHttpsPort;
            var mqttPort = bound.ActualMqttPort;
            using var amqp = AmqpEndpoint.Start(settings, certificates.ServerCertificate, telemetry, app.Services.GetRequiredService<ConsumerGroupRegistry>(),
                app.Services.GetRequiredService<SasValidator>(), clock, loggerFactory,
                app.Services.GetRequiredService<CloudToDeviceQueue>(), app.Services.GetRequiredService<FeedbackQueue>(), app.Services.GetRequiredService<AmqpWebSocketGateway>());
            var status = EmulatorStatus.Build(settings, port, mqttPort, policies, certificates.CaCertificatePath, store.Kind);
            EmulatorStatus.AddAmqp(status, settings, amqp.AmqpsPort, amqp.AmqpPort, policies);
            if (settings.StatusFile is not null) EmulatorStatus.WriteFile(settings.StatusFile, status);
            Console.Out.WriteLine($"IotLabKit emulator: hub '{settings.HubName}' listening on https://{EmulatorStatus.HostNameWithPort(settings.HostName, port)} (storage: {store.Kind}, data: {settings.DataDir})");
            Console.Out.WriteLine($"Devices: MQTT over TLS on port {mqttPort} (and on {port}), MQTT over WebSocket at wss://{EmulatorStatus.HostNameWithPort(settings.HostName, port)}{MqttConnectionRouting.WebSocketPath}");
            Console.Out.WriteLine($"Service connection string: {status["serviceConnectionString"]}");
            Console.Out.WriteLine($"Event Hubs-compatible endpoint: {status["eventHubConnectionString"]} (AMQPS on port {amqp.AmqpsPort})");
            Console.Out.WriteLine($"Service AMQP: AMQPS on port {amqp.AmqpsPort}, AMQP over WebSocket at wss://{EmulatorStatus.HostNameWithPort(settings.HostName, port)}{MqttConnectionRouting.WebSocketPath} (sub-protocol {AmqpWebSocketGateway.SubProtocol})");
            Console.Out.WriteLine($"CA certificate: {certificates.CaCertificatePath} (Node: NODE_EXTRA_CA_CERTS)");
            Console.Out.WriteLine(EmulatorStatus.LinePrefix + HubJson.Write(status));
            Console.Out.Flush();
            await app.WaitForShutdownAsync();
            await jobs.StopAsync();
        }
        return 0;
    }

    /// <summary>The ports one start attempt asks for, and (once started) the ones Kestrel bound.</summary>
    private sealed class BoundPorts(int httpsPort, int mqttPort)
    {
        public int HttpsPort { get; } = httpsPort;
        public int MqttPort { get; } = mqttPort;
        public ListenOptions? HttpsListener { get; set; }
        public ListenOptions? MqttListener { get; set; }
        public int ActualHttpsPort => HttpsListener?.IPEndPoint?.Port ?? HttpsPort;
        public int ActualMqttPort => MqttListener?.IPEndPoint?.Port ?? MqttPort;
    }

    private static WebApplication Build(EmulatorSettings settings, BoundPorts ports, HubState hub, TelemetryStore telemetry, SharedAccessPolicies policies,
        EmulatorCertificates certificates, TimeProvider clock)
    {
        var port = ports.HttpsPort;
        var mqttConnections = new MqttConnectionHandler();
        var mqttWebSockets = new MqttWebSocketServerAdapter();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelHttpsConfiguration();
        ConfigureLogging(builder.Logging, settings.Verbose);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Far above any IoT Hub body (a twin section is 32 KB); larger bodies are 413 MessageTooLarge, not parsed.
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ServerCertificate = certificates.ServerCertificate;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            });
            void Https(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps();
                listen.UseMqttOrHttp(mqttConnections);
                ports.HttpsListener ??= listen;
            }
            void Mqtt(ListenOptions listen)
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps();
                listen.UseMqtt(mqttConnections);
                ports.MqttListener ??= listen;
            }
            // Loopback only: the emulator is for this machine. Port 0 cannot use ListenLocalhost (two sockets, two ports).
            if (port == 0) kestrel.Listen(IPAddress.Loopback, 0, Https);
            else kestrel.ListenLocalhost(port, Https);
            if (ports.MqttPort == 0) kestrel.Listen(IPAddress.Loopback, 0, Mqtt);
            else kestrel.ListenLocalhost(ports.MqttPort, Mqtt);
        });

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(hub);
        builder.Services.AddSingleton(policies);
        builder.Services.AddSingleton<DeviceRegistry>();
        builder.Services.AddSingleton<TwinStore>();
        builder.Services.AddSingleton(settings.Jobs);
        builder.Services.AddSingleton<JobEngine>();
        builder.Services.AddSingleton<BulkRegistry>();
        builder.Services.AddSingleton<FeedbackQueue>();
        builder.Services.AddSingleton<CloudToDeviceQueue>();
        builder.Services.AddHostedService<CloudToDeviceExpiryService>();
        builder.Services.AddSingleton<IDeviceJobSource, JobEngineDeviceJobs>();
        builder.Services.AddSingleton<HubQuerySource>();
        builder.Services.AddSingleton<AggregateCursors>();
        builder.Services.AddSingleton<QueryEngine>();
        builder.Services.AddSingleton<ConfigurationStore>();
        builder.Services.AddSingleton<ConfigurationEngine>();
        builder.Services.AddSingleton(sp => new ConfigurationScheduler(sp.GetRequiredService<ConfigurationEngine>(),
            sp.GetRequiredService<ConfigurationStore>(), clock, settings.ConfigurationEvaluationInterval,
            sp.GetRequiredService<ILogger<ConfigurationScheduler>>()));
        builder.Services.AddHostedService<ConfigurationEvaluationService>();
        builder.Services.AddSingleton(sp => new SasValidator(policies, settings.HostName, sp.GetRequiredService<DeviceRegistry>(), clock));
        builder.Services.AddSingleton(telemetry);
        builder.Services.AddSingleton<TelemetryIngress>();
        builder.Services.AddSingleton<ConsumerGroupRegistry>();
        builder.Services.AddSingleton(mqttConnections);
        builder.Services.AddSingleton(mqttWebSockets);
        builder.Services.AddSingleton<AmqpWebSocketGateway>();
        builder.Services.AddSingleton<DeviceSessionTable>();
        builder.Services.AddSingleton<SessionPersistence>();
        builder.Services.AddSingleton<DeviceConnectAuthenticator>();
        builder.Services.AddSingleton<TwinRequestHandler>();
        builder.Services.AddSingleton<MqttDirectMethodInvoker>();
        builder.Services.AddSingleton<IDirectMethodInvoker>(sp => sp.GetRequiredService<MqttDirectMethodInvoker>());
        builder.Services.AddSingleton<CloudToDeviceDelivery>();
        builder.Services.AddSingleton<MqttDeviceEndpoint>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MqttDeviceEndpoint>());
        if (settings.ParentPid is { } parentPid)
            builder.Services.AddHostedService(sp => new ParentProcessWatcher(parentPid,
                sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<ParentProcessWatcher>>()));

        var app = builder.Build();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        if (settings.Verbose) app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseWebSockets();
        app.UseRouting();
        app.UseMiddleware<ServiceRequestGate>();
        RestApi.Map(app);
        app.MapIotHubWebSockets();
        return app;
    }

    private static ILoggerFactory CreateLoggerFactory(bool verbose) => LoggerFactory.Create(b => ConfigureLogging(b, verbose));

    // Logs go to stderr so stdout stays the emulator's own announcements (and the status line).
    private static void ConfigureLogging(ILoggingBuilder logging, bool verbose)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // The host logs start-up failures with a stack trace; the emulator reports those itself in one line.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", verbose ? LogLevel.Warning : LogLevel.None);
        if (verbose) logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
    }

    // Kestrel names the address it could not bind ("https://127.0.0.1:8883") in an outer exception, not the socket error.
    private static bool MentionsPort(Exception ex, int port)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e.Message.Contains($":{port}", StringComparison.Ordinal)) return true;
        return false;
    }

    private static bool IsBindFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException or UnauthorizedAccessException) return true;
            if (e is IOException io && io.Message.Contains("bind", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    // Two emulators starting at once on a fresh data directory (--in-memory allows sharing one) must not each
    // create keys and a CA and overwrite the other's: creation happens under a short-lived exclusive file lock.
    // There is no event to wait on for another process's file lock, so this polls, bounded.
    private static FileStream AcquireInitLock(string dataDir)
    {
        var path = Path.Combine(dataDir, "init.lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(50); }
            catch (IOException)
            {
                throw new SettingsException($"Timed out waiting for '{path}': another emulator seems stuck initialising this data directory.");
            }
        }
    }

    private static FileStream LockDataDir(string dataDir)
    {
        var path = Path.Combine(dataDir, "emulator.lock");
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new SettingsException($"Another emulator is already using the data directory '{dataDir}'. Stop it, or start this one with another --data-dir.");
        }
    }
}
