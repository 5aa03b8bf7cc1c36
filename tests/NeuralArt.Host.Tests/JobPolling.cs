using System.Text.Json;
using NeuralArt.Pipeline.Client;
using NeuralArt.Pipeline.Http;

namespace NeuralArt.Host.Tests;

/// <summary>The host tests' view of the jobs API, through the typed client (<see cref="NeuralArtClient"/>).</summary>
internal static class JobPolling
{
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static NeuralArtClient Client(HttpClient http) => new(http, HostProcess.Key);

    /// <summary>Starts a job from a JSON body and returns its ID (the body is what a caller would POST).</summary>
    public static async Task<string> SubmitAsync(HttpClient http, string json)
    {
        var submission = JsonSerializer.Deserialize<JobSubmission>(json, Web)!;
        var operation = await Client(http).StartJobAsync(submission);
        Assert.NotNull(operation.Accepted.Plan);
        return operation.Id;
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string id) =>
        JsonSerializer.SerializeToElement(await Client(http).GetJobAsync(id), Web);

    /// <summary>Polls the job (following Retry-After) until it ends; <paramref name="onRunning"/> sees each status while it runs.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient http, string id, Action<JsonElement>? onRunning = null, Func<string>? diagnostics = null)
    {
        using var cancel = new CancellationTokenSource(JobTimeout);
        var operation = Client(http).GetJobOperation(id);
        var progress = new Progress(view =>
        {
            if (view.Status == "running") onRunning?.Invoke(JsonSerializer.SerializeToElement(view, Web));
        });
        try
        {
            return JsonSerializer.SerializeToElement(await operation.WaitForCompletionAsync(progress, cancel.Token), Web);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Job {id} did not end within {JobTimeout}; last status {JsonSerializer.Serialize(operation.Value, Web)}.\n{diagnostics?.Invoke()}");
        }
    }

    /// <summary>Reports on the polling thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Progress(Action<JobView> report) : IProgress<JobView>
    {
        public void Report(JobView value) => report(value);
    }
}
