using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Output;

/// <summary>The state of the emulator this session started (PSTypeName <c>IotLabKit.EmulatorStatus</c>).</summary>
public sealed class EmulatorInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.EmulatorStatus";

    /// <summary>True while the process runs.</summary>
    public bool Running { get; init; }
    /// <summary>The emulator's process id.</summary>
    public int ProcessId { get; init; }
    /// <summary>The hub's name.</summary>
    public string? HubName { get; init; }
    /// <summary>The host name in connection strings and certificates.</summary>
    public string? HostName { get; init; }
    /// <summary>The HTTPS (REST) port.</summary>
    public int? HttpsPort { get; init; }
    /// <summary>The MQTT-over-TLS port (devices also reach MQTT on the HTTPS port, over TLS or WebSocket).</summary>
    public int? MqttPort { get; init; }
    /// <summary>The AMQPS port (cloud-to-device messages, the Event Hubs-compatible endpoint).</summary>
    public int? AmqpsPort { get; init; }
    /// <summary>The plain AMQP port for <c>UseDevelopmentEmulator=true</c> Event Hubs clients.</summary>
    public int? AmqpPort { get; init; }
    /// <summary>What clients put in HostName: host, plus the port unless it is 443.</summary>
    public string? ConnectionHost { get; init; }
    /// <summary>The folder with the database, keys and certificates.</summary>
    public string? DataDir { get; init; }
    /// <summary><c>sqlite</c> (kept across restarts) or <c>in-memory</c>.</summary>
    public string? Storage { get; init; }
    /// <summary>The emulator's CA certificate (trust it in clients; Node: NODE_EXTRA_CA_CERTS).</summary>
    public string? CaCertificatePath { get; init; }
    /// <summary>When it was started.</summary>
    public DateTime StartTime { get; init; }
    /// <summary>How long it has run (up to now, or up to when it was seen stopped).</summary>
    public TimeSpan Uptime { get; init; }
    /// <summary>True when the session's connection points at this emulator.</summary>
    public bool Connected { get; init; }
    /// <summary>The iothubowner connection string: a SecureString, or text with -AsPlainText.</summary>
    public object? ServiceConnectionString { get; init; }

    internal static PSObject From(EmulatorProcess emulator, bool asPlainText)
    {
        var status = emulator.Status;
        var info = new EmulatorInfo
        {
            Running = !emulator.HasExited,
            ProcessId = emulator.Id,
            HubName = status?.HubName,
            HostName = status?.HostName,
            HttpsPort = status?.HttpsPort,
            MqttPort = status is { MqttPort: > 0 } ? status.MqttPort : null,
            AmqpsPort = status is { AmqpsPort: > 0 } ? status.AmqpsPort : null,
            AmqpPort = status is { AmqpPort: > 0 } ? status.AmqpPort : null,
            ConnectionHost = status?.ConnectionHost,
            DataDir = status?.DataDir,
            Storage = status?.Storage,
            CaCertificatePath = status?.CaCertificatePath,
            StartTime = emulator.StartTime,
            Uptime = DateTime.Now - emulator.StartTime,
            Connected = HubSession.IsConnectedTo(emulator),
            ServiceConnectionString = status is null ? null : SecretText.Output(status.ServiceConnectionString, asPlainText),
        };
        var ps = PSObject.AsPSObject(info);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }
}
