using System.Net;
using System.Text;
using System.Text.Json;

namespace NeuralArt.Host.Tests;

internal static class JobPolling
{
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    public static async Task<string> SubmitAsync(HttpClient http, string json)
    {
        using var response = await http.PostAsync("/api/jobs", new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/jobs: {(int)response.StatusCode} {body}");
        Assert.NotNull(response.Headers.Location);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string id)
    {
        using var response = await http.GetAsync($"/api/jobs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/jobs/{id}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the job until it ends; <paramref name="onRunning"/> sees each status while it runs.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient http, string id, Action<JsonElement>? onRunning = null, Func<string>? diagnostics = null)
    {
        using var cancel = new CancellationTokenSource(JobTimeout);
        while (true)
        {
            var job = await GetAsync(http, id);
            var status = job.GetProperty("status").GetString();
            if (status is "completed" or "failed" or "cancelled")
            {
                return job;
            }

            if (status == "running")
            {
                onRunning?.Invoke(job);
            }

            try
            {
                await Task.Delay(150, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Job {id} did not end within {JobTimeout}; last status {job}.\n{diagnostics?.Invoke()}");
            }
        }
    }
}
