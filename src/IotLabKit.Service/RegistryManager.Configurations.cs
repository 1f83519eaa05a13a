using System.Globalization;
using System.Text.Json;
using IotLabKit.Protocol;
using IotLabKit.Service.Serialization;

namespace IotLabKit.Service;

public sealed partial class RegistryManager
{
    /// <summary>Characters IoT Hub does not allow in configuration ids (besides white space).</summary>
    private const string InvalidConfigurationIdCharacters = "&^[]{}\\|\"<>/.";

    /// <summary>Creates an automatic device configuration. The hub applies it shortly after, then every five minutes.</summary>
    /// <returns>The configuration as the hub stored it (ETag, creation time, system metric queries).</returns>
    /// <exception cref="ArgumentException">The id is not valid, or the configuration carries an ETag.</exception>
    /// <exception cref="DeviceAlreadyExistsException">A configuration with that id exists (HTTP 409).</exception>
    public Task<Configuration> AddConfigurationAsync(Configuration configuration, CancellationToken cancellationToken = default)
    {
        ValidateConfiguration(configuration);
        if (!string.IsNullOrEmpty(configuration.ETag))
            throw new ArgumentException("A new configuration must not carry an ETag; the hub assigns it.", nameof(configuration));
        return _http.SendAsync<Configuration>(HttpMethod.Put, ConfigurationPath(configuration.Id), null, configuration.ToJson(), ifMatch: null, cancellationToken);
    }

    /// <summary>Reads a configuration; null when it does not exist (as Microsoft's client does).</summary>
    public async Task<Configuration?> GetConfigurationAsync(string configurationId, CancellationToken cancellationToken = default)
    {
        ValidateConfigurationId(configurationId, nameof(configurationId));
        try
        {
            return await _http.SendAsync<Configuration>(HttpMethod.Get, ConfigurationPath(configurationId), null, null, null, cancellationToken).ConfigureAwait(false);
        }
        catch (DeviceNotFoundException ex) when (ex.ErrorName is null || ex.ErrorCode == IotHubErrorCode.ConfigurationNotFound)
        {
            return null;
        }
    }

    /// <summary>Lists up to <paramref name="maxCount"/> configurations (a hub holds at most 100).</summary>
    public async Task<IEnumerable<Configuration>> GetConfigurationsAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        // The trailing slash is what Microsoft's C# client sends (GET /configurations/?top=N).
        return await _http.SendAsync<List<Configuration>>(HttpMethod.Get, "configurations/", "top=" + maxCount.ToString(CultureInfo.InvariantCulture), null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Updates a configuration, only if it has not changed since it was read.</summary>
    /// <exception cref="PreconditionFailedException">The configuration's ETag is not the current one.</exception>
    public Task<Configuration> UpdateConfigurationAsync(Configuration configuration, CancellationToken cancellationToken)
        => UpdateConfigurationAsync(configuration, forceUpdate: false, cancellationToken);

    /// <summary>
    /// Updates a configuration. Only its target condition, priority, labels and metrics may change; the hub refuses
    /// changed content (create a new configuration instead).
    /// </summary>
    /// <param name="configuration">The configuration, usually as read and then changed.</param>
    /// <param name="forceUpdate">True to overwrite whatever is stored (If-Match "*"); false to require its ETag to be current.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">The configuration has no ETag and <paramref name="forceUpdate"/> is false.</exception>
    /// <exception cref="PreconditionFailedException">The configuration's ETag is not the current one.</exception>
    /// <exception cref="ConfigurationNotFoundException">There is no such configuration.</exception>
    public Task<Configuration> UpdateConfigurationAsync(Configuration configuration, bool forceUpdate = false, CancellationToken cancellationToken = default)
    {
        ValidateConfiguration(configuration);
        if (string.IsNullOrWhiteSpace(configuration.ETag) && !forceUpdate)
            throw new ArgumentException("The configuration has no ETag. Read it first (GetConfigurationAsync) and update that, or pass forceUpdate: true to overwrite unconditionally.", nameof(configuration));
        var ifMatch = forceUpdate ? "*" : configuration.ETag!;
        return _http.SendAsync<Configuration>(HttpMethod.Put, ConfigurationPath(configuration.Id), null, configuration.ToJson(), ifMatch, cancellationToken);
    }

    /// <summary>Deletes a configuration whatever its state (If-Match "*"). Twins keep what it wrote.</summary>
    /// <exception cref="ConfigurationNotFoundException">There is no such configuration.</exception>
    public Task RemoveConfigurationAsync(string configurationId, CancellationToken cancellationToken = default)
    {
        ValidateConfigurationId(configurationId, nameof(configurationId));
        return _http.SendAsync(HttpMethod.Delete, ConfigurationPath(configurationId), null, null, "*", cancellationToken);
    }

    /// <summary>Deletes a configuration only if it has not changed since it was read (If-Match: its ETag).</summary>
    /// <exception cref="ArgumentException">The configuration has no ETag.</exception>
    /// <exception cref="PreconditionFailedException">It changed since it was read.</exception>
    public Task RemoveConfigurationAsync(Configuration configuration, CancellationToken cancellationToken = default)
    {
        ValidateConfiguration(configuration);
        if (string.IsNullOrWhiteSpace(configuration.ETag))
            throw new ArgumentException("The configuration has no ETag. Read it first, or remove it by id to delete it unconditionally.", nameof(configuration));
        return _http.SendAsync(HttpMethod.Delete, ConfigurationPath(configuration.Id), null, null, configuration.ETag, cancellationToken);
    }

    /// <summary>Asks the hub whether a target condition and custom metric queries are valid, without creating anything.</summary>
    public Task<ConfigurationQueriesTestResponse> TestConfigurationQueriesAsync(ConfigurationQueriesTestInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var body = JsonSerializer.Serialize(input, ServiceJson.Options);
        return _http.SendAsync<ConfigurationQueriesTestResponse>(HttpMethod.Post, "configurations/testQueries", null, body, null, cancellationToken);
    }

    /// <summary>Asks the hub whether a configuration's target condition and custom metric queries are valid.</summary>
    public Task<ConfigurationQueriesTestResponse> TestConfigurationQueriesAsync(Configuration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var input = new ConfigurationQueriesTestInput
        {
            TargetCondition = configuration.TargetCondition,
            CustomMetricQueries = new Dictionary<string, string>(configuration.Metrics.Queries),
        };
        return TestConfigurationQueriesAsync(input, cancellationToken);
    }

    /// <summary>Applies configuration content to one IoT Edge device directly (its modules' desired properties).</summary>
    /// <exception cref="DeviceNotFoundException">There is no such device.</exception>
    public Task ApplyConfigurationContentOnDeviceAsync(string deviceId, ConfigurationContent content, CancellationToken cancellationToken = default)
    {
        ValidateId(deviceId, nameof(deviceId));
        ArgumentNullException.ThrowIfNull(content);
        var body = JsonSerializer.Serialize(content, ServiceJson.Options);
        return _http.SendAsync(HttpMethod.Post, DevicePath(deviceId) + "/applyConfigurationContent", null, body, null, cancellationToken);
    }

    private static string ConfigurationPath(string configurationId) => "configurations/" + Uri.EscapeDataString(configurationId);

    private static void ValidateConfiguration(Configuration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateConfigurationId(configuration.Id, nameof(configuration));
    }

    /// <summary>Checks a configuration id against IoT Hub's documented rule (up to 128 characters, none of <c>&amp;^[]{}\|"&lt;&gt;/.</c>, no white space).</summary>
    internal static void ValidateConfigurationId(string? id, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("The configuration id is empty.", parameterName);
        if (id.Length > 128 || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || InvalidConfigurationIdCharacters.Contains(c)))
            throw new ArgumentException(
                $"The configuration id '{id}' is not valid: up to 128 characters, without white space or & ^ [ ] {{ }} \\ | \" < > / . (lower case is the convention).", parameterName);
    }
}
