using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

/// <summary>
/// Calls that exist only on the IotLabKit emulator, not on a real IoT hub: things a real hub does on its own
/// schedule that a lab or a test wants done now. Same connection string, trust and errors as the other clients.
/// </summary>
public sealed class EmulatorClient : IDisposable, IAsyncDisposable
{
    /// <summary>The emulator's route that evaluates every automatic device configuration at once.</summary>
    public const string EvaluateConfigurationsPath = "$iotlabkit/configurations/evaluate";

    /// <summary>The emulator's stand-in for ARM's consumer groups of the built-in endpoint.</summary>
    public const string ConsumerGroupsPath = "$iotlabkit/eventHubEndpoints/events/consumerGroups";

    private readonly IotHubHttpClient _http;
    private int _disposed;

    private EmulatorClient(IotHubHttpClient http) => _http = http;

    /// <summary>The emulator's host name (port included when the connection string gives one).</summary>
    public string HostName => _http.HostName;

    /// <summary>Creates the client from a service connection string of the emulator (<c>…;UseDevelopmentEmulator=true</c>).</summary>
    /// <exception cref="ArgumentException">The connection string is malformed or is not a service connection string.</exception>
    /// <exception cref="FileNotFoundException">No emulator CA certificate was found.</exception>
    public static EmulatorClient CreateFromConnectionString(string connectionString, ServiceClientOptions? options = null)
        => new(IotHubHttpClient.FromConnectionString(connectionString, options));

    /// <summary>
    /// Evaluates every automatic device configuration now — targeting, content written into twins, statuses and
    /// metrics — instead of at the next scheduled evaluation (IoT Hub: every 5 minutes). Needs RegistryWrite.
    /// </summary>
    /// <returns>What the evaluation did.</returns>
    /// <exception cref="DeviceNotFoundException">The hub is not an IotLabKit emulator (it has no such route: 404).</exception>
    public Task<ConfigurationEvaluationResult> EvaluateConfigurationsAsync(CancellationToken cancellationToken = default)
        => _http.SendAsync<ConfigurationEvaluationResult>(HttpMethod.Post, EvaluateConfigurationsPath, null, null, null, cancellationToken);

    /// <summary>
    /// The consumer groups of the Event Hubs-compatible endpoint: <c>$Default</c> first, then those created. Needs
    /// ServiceConnect. (A real hub lists them through Azure Resource Manager: <c>az iot hub consumer-group list</c>.)
    /// </summary>
    public async Task<IReadOnlyList<ConsumerGroup>> GetConsumerGroupsAsync(CancellationToken cancellationToken = default)
        => (await _http.SendAsync<ConsumerGroupList>(HttpMethod.Get, ConsumerGroupsPath, null, null, null, cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>
    /// Creates a consumer group, or returns it when it exists (as ARM's PUT does). Needs RegistryWrite. Names: 1–50
    /// letters, digits, <c>. - _</c>, starting and ending with a letter or digit; at most 20 groups, <c>$Default</c> included.
    /// </summary>
    /// <exception cref="IotHubArgumentException">The name breaks Event Hubs' rule.</exception>
    /// <exception cref="QuotaExceededException">The hub already has 20 consumer groups.</exception>
    public Task<ConsumerGroup> CreateConsumerGroupAsync(string name, CancellationToken cancellationToken = default)
        => _http.SendAsync<ConsumerGroup>(HttpMethod.Put, ConsumerGroupPath(name), null, null, null, cancellationToken);

    /// <summary>Deletes a consumer group (not <c>$Default</c>). Needs RegistryWrite.</summary>
    /// <exception cref="DeviceNotFoundException">404 GenericNotFound: it does not exist (or the hub is not an emulator).</exception>
    /// <exception cref="IotHubArgumentException">400 for <c>$Default</c>, which cannot be deleted.</exception>
    public Task DeleteConsumerGroupAsync(string name, CancellationToken cancellationToken = default)
        => _http.SendAsync(HttpMethod.Delete, ConsumerGroupPath(name), null, null, null, cancellationToken);

    private static string ConsumerGroupPath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ConsumerGroupsPath + "/" + Uri.EscapeDataString(name);
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
    public override string ToString() => $"EmulatorClient({HostName})";
}
