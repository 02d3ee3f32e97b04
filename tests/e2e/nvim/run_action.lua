-- Drive one organize-backend code action in Neovim 0.7.2, headless, the way a user's config would:
-- start the server with vim.lsp.start_client, open a module, list the code actions of one kind,
-- pick one by title, resolve it, apply its edit with Neovim's own apply_workspace_edit or execute
-- its command, save every buffer and quit.
--
-- Read from the environment (set by tests/e2e/test_neovim.py):
--   ORGANIZE_SERVER  JSON list: the server command
--   ORGANIZE_ROOT    the workspace folder
--   ORGANIZE_FILE    the module to open, relative to the root
--   ORGANIZE_KIND    context.only for textDocument/codeAction
--   ORGANIZE_TITLE   the start of the chosen action's title
--   ORGANIZE_ANSWER  the item to pick when the server asks with window/showMessageRequest
--   ORGANIZE_REPORT  a JSON file where this script records what it saw
-- Exits 0 when the action was carried out, 1 (with the reason in the report) otherwise.

local TIMEOUT_MS = 60000
local env = vim.env
local report = { asked = {}, messages = {}, applied_edits = 0 }

local function write_report()
  local file = assert(io.open(env.ORGANIZE_REPORT, 'w'))
  file:write(vim.fn.json_encode(report))
  file:close()
end

local function quit(code)
  write_report()
  -- cquit ends Neovim even with unsaved buffers; the exit code tells the test what happened.
  vim.cmd(code == 0 and 'qall!' or 'cquit ' .. code)
end

local function fail(message)
  report.error = message
  quit(1)
end

-- A plain `error()` would leave Neovim waiting in headless mode: turn every error into an exit.
local function guarded(step)
  local ok, problem = xpcall(step, debug.traceback)
  if not ok then
    fail(tostring(problem))
  end
end

-- Answer the server's question by picking the item the test asked for (never the first one
-- by accident: no match means the user dismissed the question).
local function answer_question(_, params)
  local titles = {}
  for _, item in ipairs(params.actions or {}) do
    table.insert(titles, item.title)
  end
  table.insert(report.asked, { message = params.message, titles = titles })
  for _, item in ipairs(params.actions or {}) do
    if item.title == env.ORGANIZE_ANSWER then
      return item
    end
  end
  return vim.NIL
end

-- Count the edits the server pushes, then let Neovim's own handler apply them.
local function apply_pushed_edit(err, params, ctx)
  report.applied_edits = report.applied_edits + 1
  return vim.lsp.handlers['workspace/applyEdit'](err, params, ctx)
end

local function record_message(_, params)
  table.insert(report.messages, params.message)
end

local function start_server()
  local client_id = vim.lsp.start_client({
    name = 'organize-backend',
    cmd = vim.fn.json_decode(env.ORGANIZE_SERVER),
    root_dir = env.ORGANIZE_ROOT,
    handlers = {
      ['window/showMessageRequest'] = answer_question,
      ['workspace/applyEdit'] = apply_pushed_edit,
      ['window/showMessage'] = record_message,
    },
  })
  if not client_id then
    fail('vim.lsp.start_client failed')
  end
  vim.cmd('edit ' .. vim.fn.fnameescape(env.ORGANIZE_ROOT .. '/' .. env.ORGANIZE_FILE))
  vim.lsp.buf_attach_client(0, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  -- didOpen goes out once the handshake is done; the server handles messages in order.
  if not vim.wait(TIMEOUT_MS, function() return client.initialized end, 20) then
    fail('the server did not finish initializing')
  end
  return client
end

local function request(client, method, params)
  local response, problem = client.request_sync(method, params, TIMEOUT_MS, 0)
  if not response then
    fail(method .. ': ' .. tostring(problem))
  end
  if response.err then
    fail(method .. ': ' .. vim.inspect(response.err))
  end
  return response.result
end

local function choose_action(client)
  local params = vim.lsp.util.make_range_params()
  params.context = { diagnostics = {}, only = { env.ORGANIZE_KIND } }
  local listed = request(client, 'textDocument/codeAction', params) or {}
  report.titles = {}
  local chosen
  for _, action in ipairs(listed) do
    table.insert(report.titles, action.title)
    if not chosen and vim.startswith(action.title, env.ORGANIZE_TITLE) then
      chosen = action
    end
  end
  if not chosen then
    fail('no code action titled ' .. env.ORGANIZE_TITLE)
  end
  return chosen
end

-- What vim.lsp.buf.code_action does with the chosen action in 0.7: resolve when it carries
-- data and no edit, apply the edit, then run the command if there is one.
local function carry_out(client, action)
  if not action.edit and action.data and not action.command then
    action = request(client, 'codeAction/resolve', action)
  end
  report.chosen = { title = action.title, has_edit = action.edit ~= nil }
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  local command = type(action.command) == 'table' and action.command or action
  if type(command.command) == 'string' then
    report.command = command.command
    report.command_result = request(client, 'workspace/executeCommand',
      { command = command.command, arguments = command.arguments })
  end
end

local function stop(client)
  client.stop()
  if not vim.wait(10000, function() return client.is_stopped() end, 20) then
    client.stop(true)
  end
end

guarded(function()
  local client = start_server()
  carry_out(client, choose_action(client))
  -- The text edits sit in modified buffers until saved, as for a user.
  vim.cmd('silent wall')
  stop(client)
  quit(0)
end)
