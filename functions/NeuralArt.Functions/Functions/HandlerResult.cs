using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace NeuralArt.Functions.Functions;

/// <summary>Runs a shared handler's <see cref="IResult"/> as the MVC result the Functions ASP.NET Core integration expects.</summary>
internal sealed class HandlerResult(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
