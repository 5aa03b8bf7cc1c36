using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralArt.Contract;
using NeuralArt.Pipeline.Http;
using NeuralArt.Pipeline.Sweeps;

namespace NeuralArt.Pipeline.Client;

/// <summary>
/// A typed client of the jobs API, for either host (the local host or a Functions app), in the style
/// of the Azure SDK: one client per endpoint, async methods with cancellation tokens, a job as a
/// pollable operation (<see cref="JobOperation"/>), refusals as <see cref="NeuralArtRequestException"/>
/// carrying the status and the field. The CLI's <c>submit</c> and <c>bench-pipeline</c> and the host
/// tests use it.
/// </summary>
public sealed class NeuralArtClient : IDisposable
{
    /// <summary>The header both hosts read the function key from.</summary>
    public const string KeyHeader = "x-functions-key";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly NeuralArtClientOptions _options;

    public NeuralArtClient(Uri endpoint, string functionKey, NeuralArtClientOptions? options = null)
        : this(new HttpClient { BaseAddress = endpoint }, functionKey, options, ownsHttp: true)
    {
    }

    /// <summary>Over a caller's <see cref="HttpClient"/> (its <c>BaseAddress</c> is the endpoint); the key is added to each request.</summary>
    public NeuralArtClient(HttpClient http, string functionKey, NeuralArtClientOptions? options = null)
        : this(http, functionKey, options, ownsHttp: false)
    {
    }

    private NeuralArtClient(HttpClient http, string functionKey, NeuralArtClientOptions? options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrEmpty(functionKey);
        _http = http;
        _ownsHttp = ownsHttp;
        _options = options ?? new NeuralArtClientOptions();
        FunctionKey = functionKey;
        if (ownsHttp) _http.Timeout = _options.RequestTimeout;
    }

    private string FunctionKey { get; }

    /// <summary>The engines the host runs: kinds, input roles, parameters under the host's caps.</summary>
    public async Task<IReadOnlyList<EngineDescriptor>> GetEnginesAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, JobsApi.EnginesRoute, null, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync<EngineList>(response, cancellationToken).ConfigureAwait(false)).Engines;
    }

    /// <summary>Starts a job; the operation follows it. Refusals (400, 413, 429) throw <see cref="NeuralArtRequestException"/>.</summary>
    public async Task<JobOperation> StartJobAsync(JobSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        using var response = await SendAsync(HttpMethod.Post, JobsApi.RoutePrefix, JsonContent.Create(submission, options: Json), cancellationToken).ConfigureAwait(false);
        return new JobOperation(this, await ReadAsync<JobAccepted>(response, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Starts a job of <paramref name="kind"/> from inputs by role and parameters.</summary>
    public Task<JobOperation> StartJobAsync(
        string kind, IReadOnlyDictionary<string, IReadOnlyList<string>> inputs, JsonObject? parameters = null, CancellationToken cancellationToken = default)
    {
        var roles = new JsonObject();
        foreach (var (role, values) in inputs) roles[role] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        return StartJobAsync(new JobSubmission { Kind = kind, Inputs = roles, Parameters = parameters ?? [] }, cancellationToken);
    }

    /// <summary>A job's operation, to follow a job started elsewhere.</summary>
    public JobOperation GetJobOperation(string id) =>
        new(this, new JobAccepted(id, false, new Uri(_http.BaseAddress!, $"{JobsApi.RoutePrefix}/{id}"), new Uri(_http.BaseAddress!, $"{JobsApi.RoutePrefix}/{id}/cancel")));

    public async Task<JobView> GetJobAsync(string id, CancellationToken cancellationToken = default) =>
        (await GetJobWithRetryAfterAsync(id, cancellationToken).ConfigureAwait(false)).View;

    /// <summary>One page of recent jobs and the token of the next page.</summary>
    public async Task<JobList> ListJobsAsync(int? top = null, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (top is { } n) query.Add($"top={n}");
        if (continuationToken is not null) query.Add($"continuationToken={Uri.EscapeDataString(continuationToken)}");
        var path = JobsApi.RoutePrefix + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<JobList>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every job of the list window, page by page.</summary>
    public async IAsyncEnumerable<JobView> GetJobsAsync(int pageSize = 100, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? token = null;
        do
        {
            var page = await ListJobsAsync(pageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var job in page.Jobs) yield return job;
            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public async Task CancelJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{JobsApi.RoutePrefix}/{Uri.EscapeDataString(id)}/cancel", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Purges an ended job (outputs, checkpoints, history).</summary>
    public async Task DeleteJobAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"{JobsApi.RoutePrefix}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts a sweep: every cell planned at the door, each an ordinary job. Refusals (400, 413) throw <see cref="NeuralArtRequestException"/>.</summary>
    public async Task<SweepAccepted> StartSweepAsync(SweepSubmission submission, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        using var response = await SendAsync(HttpMethod.Post, SweepsApi.RoutePrefix, JsonContent.Create(submission, options: Json), cancellationToken).ConfigureAwait(false);
        return await ReadAsync<SweepAccepted>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A sweep's axes, cells (status, progress, preview, result) and sheet.</summary>
    public async Task<SweepView> GetSweepAsync(string id, CancellationToken cancellationToken = default) =>
        (await GetSweepWithRetryAfterAsync(id, cancellationToken).ConfigureAwait(false)).View;

    /// <summary>Polls the sweep (following Retry-After) until it ends; <paramref name="progress"/> sees every answer, the last one included.</summary>
    public async Task<SweepView> WaitForSweepAsync(string id, IProgress<SweepView>? progress = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var (view, retryAfter) = await GetSweepWithRetryAfterAsync(id, cancellationToken).ConfigureAwait(false);
            progress?.Report(view);
            if (view.Status is not ("pending" or "running")) return view;
            await Task.Delay(PollDelay(retryAfter), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels a sweep and every cell still running.</summary>
    public async Task CancelSweepAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{SweepsApi.RoutePrefix}/{Uri.EscapeDataString(id)}/cancel", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Purges an ended sweep and its cells.</summary>
    public async Task DeleteSweepAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"{SweepsApi.RoutePrefix}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(SweepView View, TimeSpan? RetryAfter)> GetSweepWithRetryAfterAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{SweepsApi.RoutePrefix}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
        var view = await ReadAsync<SweepView>(response, cancellationToken).ConfigureAwait(false);
        return (view, response.Headers.RetryAfter?.Delta);
    }

    internal async Task<(JobView View, TimeSpan? RetryAfter)> GetJobWithRetryAfterAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{JobsApi.RoutePrefix}/{Uri.EscapeDataString(id)}", null, cancellationToken).ConfigureAwait(false);
        var view = await ReadAsync<JobView>(response, cancellationToken).ConfigureAwait(false);
        return (view, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>The wait before the next poll: the API's <c>Retry-After</c> within the options' bounds.</summary>
    internal TimeSpan PollDelay(TimeSpan? retryAfter)
    {
        var wait = retryAfter ?? _options.MinPollInterval;
        return wait < _options.MinPollInterval ? _options.MinPollInterval : wait > _options.MaxPollInterval ? _options.MaxPollInterval : wait;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (!_http.DefaultRequestHeaders.Contains(KeyHeader)) request.Headers.Add(KeyHeader, FunctionKey);
        var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            string? field = null;
            var detail = text;
            try
            {
                using var problem = JsonDocument.Parse(text);
                field = problem.RootElement.TryGetProperty("field", out var f) ? f.GetString() : null;
                detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
            }
            catch (JsonException)
            {
                // Not a problem body (a proxy's page): the text is the detail.
            }

            throw new NeuralArtRequestException(response.StatusCode, field, detail, response.Headers.RetryAfter?.Delta);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
        ?? throw new NeuralArtRequestException(HttpStatusCode.InternalServerError, null, $"The API answered {(int)response.StatusCode} with an empty body.");

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
