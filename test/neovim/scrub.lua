-- Neovim's built-in LSP client against the stdio server, headless: the configuration of
-- docs/editor-setup.md attaches it to a copy of the toy file, a typo's diagnostic appears and goes,
-- the ▶ Scrub code lens runs through workspace/executeCommand until its lens shows the loss
-- recovered, and hyp.numericBudget reaches the server. Run by run-neovim.sh (`npm run test:neovim`)
-- with HYP_ROOT and HYP_WORK set.
local root = assert(os.getenv('HYP_ROOT'), 'HYP_ROOT is not set')
local work = assert(os.getenv('HYP_WORK'), 'HYP_WORK is not set')

local function say(line)
  io.stdout:write(line .. '\n')
end

local function fail(message)
  say('FAIL: ' .. message)
  vim.cmd('cquit 1')
end

--- Waits up to `ms` for `condition` to return a value; fails with `what` otherwise.
local function wait_for(what, ms, condition)
  local value
  local ok = vim.wait(ms, function()
    value = condition()
    return value ~= nil and value ~= false
  end, 100)
  if not ok then fail('timed out waiting for ' .. what) end
  say('ok: ' .. what)
  return value
end

-- The server tells a plain client what happened with window/showMessage: keep what Neovim shows,
-- and what it says itself (vim.notify: "Language server does not support command …").
local messages = {}
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  table.insert(messages, result.message)
  return show_message(err, result, ctx, config)
end
vim.notify = function(message)
  table.insert(messages, message)
end

vim.cmd('edit ' .. work .. '/toy.hyp')
local bufnr = vim.api.nvim_get_current_buf()

-- docs/editor-setup.md: vim.lsp.start where Neovim has it (0.8), start_client and attach before.
local config = {
  name = 'hyp',
  cmd = { 'node', root .. '/bin/hyp-language-server.mjs', '--stdio' },
  root_dir = work,
}
local client_id
if vim.lsp.start then
  client_id = vim.lsp.start(config)
else
  client_id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(bufnr, client_id)
end

local client = wait_for('the server to initialise and offer hyp.scrub', 20000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  local provider = c and c.server_capabilities and c.server_capabilities.executeCommandProvider
  return provider and vim.tbl_contains(provider.commands, 'hyp.scrub') and c
end)

-- A typo in a tensor name: its diagnostic appears; fixing it clears it.
local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
local hook
for i, line in ipairs(lines) do
  if line:find('node D = "D"', 1, true) then hook = i end
end
if not hook then fail('toy.hyp has no line node D = "D"') end
vim.api.nvim_buf_set_lines(bufnr, hook - 1, hook, false, { (lines[hook]:gsub('"D"', '"Dx"', 1)) })
wait_for('the diagnostic of a misspelled tensor', 20000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:find('no tensor "Dx" in the model', 1, true) then return true end
  end
end)
vim.api.nvim_buf_set_lines(bufnr, hook - 1, hook, false, { lines[hook] })
wait_for('the diagnostics to clear once it is fixed', 20000, function()
  return #vim.diagnostic.get(bufnr) == 0
end)

--- The title of the lens on `row` (0-based) whose title matches `pattern`, after asking for lenses again.
local function lens_title(row, pattern)
  vim.lsp.codelens.refresh()
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    local title = lens.command and lens.command.title
    if lens.range.start.line == row and title and title:find(pattern) then return title end
  end
end

local header
for i, line in ipairs(lines) do
  if line:find('^hypothesis correct') then header = i - 1 end
end
if not header then fail('toy.hyp has no hypothesis correct') end
wait_for('the ▶ Scrub lens over hypothesis correct', 20000, function() return lens_title(header, '^▶ Scrub$') end)

-- Run the lens under the cursor, as a user does (:lua vim.lsp.codelens.run()).
vim.api.nvim_win_set_cursor(0, { header + 1, 0 })
vim.lsp.codelens.run()
local title = wait_for('the lens to show the loss recovered', 60000, function()
  return lens_title(header, '^loss recovered')
end)
if not title:find('^loss recovered 100%.0%% %(95%% CI 100%.0–100%.0%)') then fail('unexpected lens title: ' .. title) end
wait_for('the result message', 5000, function()
  for _, m in ipairs(messages) do
    if m:find('^correct: loss recovered 100%.0%%') then return true end
  end
end)
for _, m in ipairs(messages) do
  if m:find('does not support command', 1, true) then fail('Neovim says: ' .. m) end
end

-- hyp.numericBudget from Neovim's settings, pushed with workspace/didChangeConfiguration (Neovim
-- 0.7 does not advertise workspace/configuration, so the server does not ask): a value the pass
-- cannot use is an error on the model line, and a good one clears it.
local function budget_error()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:find('the setting hyp.numericBudget must be an integer from 1 to 1024 (got 0)', 1, true) then return true end
  end
end
client.notify('workspace/didChangeConfiguration', { settings = { hyp = { numericBudget = 0 } } })
wait_for('the error of hyp.numericBudget = 0', 20000, budget_error)
client.notify('workspace/didChangeConfiguration', { settings = { hyp = { numericBudget = 2 } } })
wait_for('the error to clear with hyp.numericBudget = 2', 20000, function()
  return not budget_error() and #vim.diagnostic.get(bufnr) == 0
end)

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return client.is_stopped() end, 100)
say('PASS')
vim.cmd('qall!')
