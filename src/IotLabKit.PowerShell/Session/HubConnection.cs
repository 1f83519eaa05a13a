using IotLabKit.Protocol;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Session;

/// <summary>
/// A connection to one IoT hub (real or emulator): what <c>Connect-IotHub</c> and <c>Start-IotHubEmulator</c> return.
/// The connection string and its key stay inside; only non-secret facts are public, so the object can be shown,
/// logged or converted to JSON safely.
/// </summary>
public sealed class HubConnection : IDisposable
{
    internal HubConnection(IotHubConnectionString connectionString, string? caCertificatePath)
    {
        ConnectionString = connectionString;
        CaCertificatePath = caCertificatePath;
        Registry = RegistryManager.CreateFromConnectionString(connectionString.ToString(),
            new ServiceClientOptions { CaCertificatePath = caCertificatePath });
        ConnectedAt = DateTime.Now;
        _jobs = new Lazy<JobClient>(() => JobClient.CreateFromConnectionString(connectionString.ToString(),
            new ServiceClientOptions { CaCertificatePath = caCertificatePath }));
        AmqpsPort = connectionString.UseDevelopmentEmulator && HubSession.Emulator?.Status is { } status
            && string.Equals(status.ConnectionHost, connectionString.HostName, StringComparison.OrdinalIgnoreCase) && status.AmqpsPort > 0
                ? status.AmqpsPort
                : null;
        _service = new Lazy<ServiceClient>(() => ServiceClient.CreateFromConnectionString(connectionString.ToString(),
            new ServiceClientOptions { CaCertificatePath = caCertificatePath, AmqpsPort = AmqpsPort }));
        _emulator = new Lazy<EmulatorClient>(() => EmulatorClient.CreateFromConnectionString(connectionString.ToString(),
            new ServiceClientOptions { CaCertificatePath = caCertificatePath }));
    }

    /// <summary>The hub's host name, with the port when it is not 443 (<c>localhost:8443</c>).</summary>
    public string HostName => ConnectionString.HostName;

    /// <summary>The hub's name: the first label of the host name, or the emulator's configured name.</summary>
    public string HubName { get; internal set; } = "";

    /// <summary>The shared access policy the connection uses (<c>iothubowner</c>, <c>service</c> …).</summary>
    public string? PolicyName => ConnectionString.SharedAccessKeyName;

    /// <summary>True when the hub is an IotLabKit emulator (<c>UseDevelopmentEmulator=true</c>).</summary>
    public bool IsEmulator => ConnectionString.UseDevelopmentEmulator;

    /// <summary>The CA file trusted for the emulator's certificate, if one was given.</summary>
    public string? CaCertificatePath { get; }

    /// <summary>Devices in the registry when the connection was checked (null when the policy may not read it).</summary>
    public long? DeviceCount { get; internal set; }

    /// <summary>When the session connected.</summary>
    public DateTime ConnectedAt { get; }

    internal IotHubConnectionString ConnectionString { get; }

    /// <summary>
    /// The AMQPS port cloud-to-device messages go to: the session's emulator's when this connection points at it,
    /// else null (IoT Hub's 5671).
    /// </summary>
    internal int? AmqpsPort { get; init; }

    internal RegistryManager Registry { get; }

    /// <summary>The jobs client, made on first use.</summary>
    internal JobClient Jobs => _jobs.Value;

    private readonly Lazy<JobClient> _jobs;

    /// <summary>The direct-method and cloud-to-device client, made on first use.</summary>
    internal ServiceClient Service => _service.Value;

    private readonly Lazy<ServiceClient> _service;

    /// <summary>The emulator-only client (evaluate configurations now …), made on first use.</summary>
    internal EmulatorClient Emulator => _emulator.Value;

    private readonly Lazy<EmulatorClient> _emulator;

    /// <inheritdoc />
    public void Dispose()
    {
        (Registry as IDisposable)?.Dispose();
        if (_jobs.IsValueCreated) _jobs.Value.Dispose();
        if (_service.IsValueCreated) _service.Value.Dispose();
        if (_emulator.IsValueCreated) _emulator.Value.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{HostName} ({PolicyName})";
}
