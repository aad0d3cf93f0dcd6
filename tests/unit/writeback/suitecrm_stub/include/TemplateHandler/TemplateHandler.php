<?php
// A stub of SuiteCRM's TemplateHandler: clearCache removes the module's cached .tpl files.

class TemplateHandler
{
    public static function clearCache($module, $view = '')
    {
        foreach (glob("cache/modules/$module/*.tpl") ?: [] as $file) {
            unlink($file);
        }
    }
}
