using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Completers;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// Shows the devices behind a configuration's metrics — the system metrics targetedCount and appliedCount, and
/// its custom metrics — by running each metric's query now, beside the count the hub computed at its last
/// evaluation (like az iot hub configuration show-metric).
/// </summary>
[Cmdlet(VerbsCommon.Get, "AutoConfigurationMetric")]
[OutputType(AutoConfigurationMetricInfo.TypeName)]
public sealed class GetAutoConfigurationMetricCommand : HubCmdlet
{
    private const string Targeted = "targetedCount", Applied = "appliedCount";

    /// <summary>The configuration.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ConfigurationIdCompleter))]
    [Alias("ConfigurationId", "Name")]
    public string Id { get; set; } = "";

    /// <summary>
    /// Which metrics: targetedCount, appliedCount, or custom metric names (wildcards allowed). Leave out for all of
    /// them.
    /// </summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConfigurationMetricCompleter))]
    [Alias("MetricName")]
    public string[]? Metric { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        Configuration? configuration;
        try { configuration = Await(ct => Registry.GetConfigurationAsync(Id, ct)); }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Id);
            return;
        }
        if (configuration is null)
        {
            WriteError(GetAutoConfigurationCommand.NotFound(CommandId, Id));
            return;
        }

        var metrics = AllMetrics(configuration);
        var chosen = new List<(string Name, string Type, string Query, long Count)>();
        foreach (var wanted in Metric ?? ["*"])
        {
            var pattern = new WildcardPattern(wanted, WildcardOptions.IgnoreCase);
            var matches = metrics.Where(m => pattern.IsMatch(m.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(wanted))
            {
                WriteError(Errors.ErrorRecordFactory.Create(CommandId, "MetricNotFound", ErrorCategory.ObjectNotFound,
                    $"The configuration '{Id}' has no metric '{wanted}'. Its metrics: {string.Join(", ", metrics.Select(m => m.Name))}.", wanted));
            }
            chosen.AddRange(matches.Where(m => !chosen.Contains(m)));
        }
        foreach (var (name, type, query, count) in chosen)
        {
            try
            {
                var ids = Await(ct => DeviceIdsAsync(query, ct));
                WriteObject(AutoConfigurationMetricInfo.Wrap(new AutoConfigurationMetricInfo
                {
                    ConfigurationId = configuration.Id,
                    Metric = name,
                    Type = type,
                    Count = count,
                    Query = query,
                    DeviceIds = ids,
                }));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteFailure(ex, name);
            }
        }
    }

    /// <summary>Every metric of a configuration: the two system metrics first, then the custom ones.</summary>
    internal static List<(string Name, string Type, string Query, long Count)> AllMetrics(Configuration configuration)
    {
        var all = new List<(string, string, string, long)>();
        foreach (var name in new[] { Targeted, Applied })
        {
            if (configuration.SystemMetrics.Queries.TryGetValue(name, out var query))
                all.Add((name, "System", query, configuration.SystemMetrics.Results.TryGetValue(name, out var n) ? n : 0));
        }
        foreach (var (name, query) in configuration.Metrics.Queries)
            all.Add((name, "Custom", query, configuration.Metrics.Results.TryGetValue(name, out var n) ? n : 0));
        return all;
    }

    private async Task<string[]> DeviceIdsAsync(string query, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var rowsWithoutId = 0;
        await foreach (var row in Registry.CreateQuery(query, 1000).ReadAllAsync<JsonNode>(cancellationToken).ConfigureAwait(false))
        {
            if (row is JsonObject obj && obj["deviceId"] is JsonValue id && id.TryGetValue(out string? deviceId)) ids.Add(deviceId);
            else rowsWithoutId++;
        }
        if (rowsWithoutId > 0)
            WriteWarning($"{rowsWithoutId} row(s) of the query have no deviceId (the query does not select it): {query}");
        return ids.ToArray();
    }
}
