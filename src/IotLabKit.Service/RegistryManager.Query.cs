using System.Text.Json.Nodes;
using IotLabKit.Service.Serialization;
using IotLabKit.Service.Transport;

namespace IotLabKit.Service;

public sealed partial class RegistryManager
{
    /// <summary>
    /// Creates a query over twins, module twins or device jobs (<c>SELECT * FROM devices WHERE tags.site = 'x'</c>,
    /// <c>SELECT COUNT() AS n FROM devices</c>, <c>SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j1'</c>).
    /// Nothing is sent until the first page is asked for.
    /// </summary>
    /// <param name="sqlQueryString">The query, in IoT Hub's query language.</param>
    /// <param name="pageSize">Items per page, or null for the hub's default.</param>
    /// <exception cref="ArgumentException">The query is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The page size is below 1.</exception>
    public IQuery CreateQuery(string sqlQueryString, int? pageSize = null)
    {
        if (string.IsNullOrWhiteSpace(sqlQueryString)) throw new ArgumentException("The query is empty.", nameof(sqlQueryString));
        var body = new JsonObject { ["query"] = sqlQueryString }.ToJsonString(ServiceJson.Options);
        return new PagedQuery(_http, new IotHubRequest(HttpMethod.Post, "devices/query") { JsonBody = body }, pageSize);
    }
}
