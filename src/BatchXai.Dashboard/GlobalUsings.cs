// What every endpoint file of the dashboard uses: minimal-API routing and results, and the readers.
global using BatchXai.Dashboard.Reading;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Http.HttpResults;
global using Microsoft.AspNetCore.Routing;
