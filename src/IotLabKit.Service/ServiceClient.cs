using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// Direct methods and service statistics of an IoT hub, over its REST API — shaped like Microsoft's
/// <c>Microsoft.Azure.Devices.ServiceClient</c>, and working unchanged against a real hub or the IotLabKit emulator.
/// One instance keeps one pool of keep-alive connections; create it once and reuse it.
/// </summary>
/// <remarks>
/// Cloud-to-device messages (Microsoft's <c>SendAsync</c>, <c>GetFeedbackReceiver</c>) are not here yet: IoT Hub
/// takes them only over AMQP (port 5671 or AMQP over WebSocket), never over HTTPS, so they need an AMQP transport
/// in this library and an AMQP endpoint in the emulator. They will be added to this class with the same names.
/// </remarks>
public sealed class ServiceClient : IDisposable, IAsyncDisposable
{
    /// <summary>What a direct method call needs beyond the hub's own wait: connecting, sending, the answer's way back.</summary>
    internal static readonly TimeSpan MethodWireAllowance = TimeSpan.FromSeconds(15);

    private readonly IotHubHttpClient _http;
    private readonly TimeSpan _timeout;
    private int _disposed;

    private ServiceClient(IotHubHttpClient http, TimeSpan timeout)
    {
        _http = http;
        _timeout = timeout;
    }

    /// <summary>The hub's host name (port included when the connection string gives one).</summary>
    public string HostName => _http.HostName;

    /// <summary>
    /// Creates a service client from a service connection string
    /// (<c>HostName=…;SharedAccessKeyName=…;SharedAccessKey=…</c>, or <c>…;SharedAccessSignature=…</c>); the policy
    /// needs ServiceConnect. With <c>UseDevelopmentEmulator=true</c> it trusts only the emulator's CA.
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed or is not a service connection string.</exception>
    /// <exception cref="FileNotFoundException">UseDevelopmentEmulator=true and no emulator CA certificate was found.</exception>
    public static ServiceClient CreateFromConnectionString(string connectionString, ServiceClientOptions? options = null)
    {
        options ??= new ServiceClientOptions();
        return new ServiceClient(IotHubHttpClient.FromConnectionString(connectionString, options), options.Timeout);
    }

    /// <summary>Does nothing: direct methods travel over HTTPS, connected on demand. Kept so code written for Microsoft's client runs.</summary>
    public Task OpenAsync() => Task.CompletedTask;

    /// <summary>Does nothing: call <see cref="Dispose"/> to release connections. Kept so code written for Microsoft's client runs.</summary>
    public Task CloseAsync() => Task.CompletedTask;

    /// <summary>
    /// Invokes a direct method on a device and waits for its answer. The device's own status (even 404 or 500)
    /// comes back in the result; exceptions mean the hub could not get an answer.
    /// </summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="cloudToDeviceMethod">The method, its payload and timeouts.</param>
    /// <param name="cancellationToken">Cancels the call (the device may still run the method).</param>
    /// <exception cref="ArgumentException">The device id is not valid.</exception>
    /// <exception cref="DeviceNotOnlineException">The device is not connected, or has not subscribed to direct methods.</exception>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    /// <exception cref="IotHubTimeoutException">The device did not answer within the response timeout.</exception>
    public Task<CloudToDeviceMethodResult> InvokeDeviceMethodAsync(string deviceId, CloudToDeviceMethod cloudToDeviceMethod, CancellationToken cancellationToken = default)
    {
        RegistryManager.ValidateId(deviceId, nameof(deviceId));
        return InvokeAsync(RegistryManager.TwinPath(deviceId) + "/methods", $"device '{deviceId}'", cloudToDeviceMethod, cancellationToken);
    }

    /// <summary>Invokes a direct method on a module and waits for its answer.</summary>
    /// <param name="deviceId">The module's device.</param>
    /// <param name="moduleId">The module.</param>
    /// <param name="cloudToDeviceMethod">The method, its payload and timeouts.</param>
    /// <param name="cancellationToken">Cancels the call (the module may still run the method).</param>
    /// <exception cref="ArgumentException">The device or module id is not valid.</exception>
    /// <exception cref="DeviceNotOnlineException">The module is not connected, or has not subscribed to direct methods.</exception>
    /// <exception cref="ModuleNotFoundException">There is no such module.</exception>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    /// <exception cref="IotHubTimeoutException">The module did not answer within the response timeout.</exception>
    public Task<CloudToDeviceMethodResult> InvokeDeviceMethodAsync(string deviceId, string moduleId, CloudToDeviceMethod cloudToDeviceMethod, CancellationToken cancellationToken = default)
    {
        RegistryManager.ValidateId(deviceId, nameof(deviceId));
        RegistryManager.ValidateId(moduleId, nameof(moduleId), "module id");
        var path = RegistryManager.TwinPath(deviceId) + "/modules/" + Uri.EscapeDataString(moduleId) + "/methods";
        return InvokeAsync(path, $"module '{deviceId}/{moduleId}'", cloudToDeviceMethod, cancellationToken);
    }

    /// <summary>Service figures: connected devices.</summary>
    public Task<ServiceStatistics> GetServiceStatisticsAsync(CancellationToken cancellationToken = default)
        => _http.SendAsync<ServiceStatistics>(HttpMethod.Get, "statistics/service", null, null, null, cancellationToken);

    /// <summary>
    /// How long one try of a method call may take: the hub waits up to connect + response timeout before it
    /// answers, plus an allowance for the wire — never less than <see cref="ServiceClientOptions.Timeout"/>.
    /// </summary>
    internal static TimeSpan MethodCallTimeout(CloudToDeviceMethod method, TimeSpan configured)
    {
        var needed = MethodWireAllowance
            + TimeSpan.FromSeconds(method.ConnectionTimeoutInSeconds ?? 0)
            + TimeSpan.FromSeconds(method.EffectiveResponseTimeoutInSeconds);
        return configured == Timeout.InfiniteTimeSpan || configured > needed ? configured : needed;
    }

    private async Task<CloudToDeviceMethodResult> InvokeAsync(string path, string target, CloudToDeviceMethod method, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        var request = new IotHubRequest(HttpMethod.Post, path) { JsonBody = method.ToJson(), Timeout = MethodCallTimeout(method, _timeout) };
        try
        {
            return await _http.SendAsync<CloudToDeviceMethodResult>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (IotHubTimeoutException ex) when (ex.StatusCode == 504 && ex.Details is { } details)
        {
            // The hub's text ("Timed out waiting for the response from device.") names neither the device nor the wait.
            throw new IotHubTimeoutException(details,
                $"The {target} did not answer the direct method '{method.MethodName}' within {method.EffectiveResponseTimeoutInSeconds} s (IoT Hub: {ex.Message})");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _http.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override string ToString() => $"ServiceClient({HostName})";
}
